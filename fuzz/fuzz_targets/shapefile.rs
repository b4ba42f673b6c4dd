//! Fuzzes the shapefile reader of the importer: any bytes under a .zip name. It may refuse
//! them; it must not panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kheo::import::read("roads.zip", data, &Default::default());
});
