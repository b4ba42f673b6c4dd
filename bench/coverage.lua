-- wrk script of bench/coverage.sh: prints one `JSON {...}` line with the throughput and the
-- latency percentiles (microseconds) at the end of the run.
--
-- COMMUNES=N (environment): instead of the URL's path, cycle round robin through
-- /api/coverage?commune=S00000..S<N-1>&as_of=$AS_OF, each thread starting at its own
-- offset, so that no commune's pages stay hot in PostgreSQL's cache between two requests.

local communes = tonumber(os.getenv("COMMUNES") or "0") or 0
local as_of = os.getenv("AS_OF") or "2024-01-01"
local threads = {}

function setup(thread)
    thread:set("offset", #threads)
    table.insert(threads, thread)
end

local counter = 0

function init(args)
    if communes > 0 then
        -- offset is the thread's number: spread the threads over the communes.
        counter = math.floor((offset or 0) * communes / 2)
    end
end

function request()
    if communes > 0 then
        local path = string.format("/api/coverage?commune=S%05d&as_of=%s", counter % communes, as_of)
        counter = counter + 1
        return wrk.format("GET", path)
    end
    return wrk.request()
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'JSON {"requests": %d, "duration_us": %d, "rps": %.2f, "bytes": %d, '
            .. '"mean_us": %.1f, "p50_us": %d, "p75_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
            .. '"non2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, '
            .. '"communes": %d}\n',
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), summary.bytes,
        latency.mean, latency:percentile(50), latency:percentile(75), latency:percentile(90),
        latency:percentile(99), latency.max,
        e.status, e.connect, e.read, e.write, e.timeout, communes))
end
