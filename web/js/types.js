// @ts-check
// JSDoc types shared by several modules: the JSON shapes of the kheo API and the page's
// fixed context. Type-only: modules name these types with `@import`, which tsc reads and the
// browser never sees, so this file is never fetched (and is not in index.html's preloads).

/**
 * @import { Map as MapLibreMap } from 'maplibre-gl'
 * @import { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson'
 * @import { Units } from './layers.js'
 */

// ---- the layer catalogue (GET /api/layers) --------------------------------------------------

/** A text in both languages, as the catalogue gives titles. @typedef {{ vi: string, en: string }} Titles */

/** One value of an enum field, with its labels. @typedef {{ value: string, vi: string, en: string }} Term */

/** @typedef {'text' | 'enum' | 'date' | 'integer' | 'number'} FieldType */

/**
 * A field of a catalogue layer.
 * @typedef {object} Field
 * @property {string} name
 * @property {FieldType} type
 * @property {boolean} required
 * @property {Titles} title
 * @property {Term[]} [values] the enum's values (enum fields only)
 */

/**
 * A row of the layer catalogue. `role`, `editors`, `importable`, `feeds_coverage`,
 * `draw_order`, `style` and `legend` are what the page branches on instead of layer ids
 * (layers.js draws, legend.js explains: see docs/ARCHITECTURE.md).
 * @typedef {object} CatalogueLayer
 * @property {string} id
 * @property {Titles} title
 * @property {'polygon' | 'line' | 'point'} geometry
 * @property {'boundary' | 'area' | 'work'} role communes, residential groups, works
 * @property {'admins' | 'editors'} editors who may write its features
 * @property {boolean} importable
 * @property {boolean} feeds_coverage whether its changes change the coverage numbers
 * @property {string | null} dated_by the field that dates a work (`done_on`), null for areas
 * @property {number} draw_order the page draws layers in increasing order
 * @property {number} count the features visible to the reader
 * @property {Field[]} fields
 * @property {CatalogueStyleLayer[]} style MapLibre style layers, bottom to top
 * @property {LegendSpec} legend
 */

/**
 * A MapLibre style layer of a catalogue layer, without its source, with kheo's placement
 * keys: `above`/`below` another catalogue layer, `top` above everything, `clickable: false`
 * for what a click ignores.
 * @typedef {{ id: string, type: string, paint?: Record<string, unknown>, layout?: Record<string, unknown>, filter?: unknown[], above?: string, below?: string, top?: boolean, clickable?: boolean }} CatalogueStyleLayer
 */

/** @typedef {'line' | 'fill' | 'outline' | 'circle' | 'glow' | 'ramp'} SwatchKind */

/**
 * How the legend explains a layer: its swatch, and a colour per value of one enum field.
 * @typedef {object} LegendSpec
 * @property {{ kind: SwatchKind, color: string, dashed: boolean }} swatch
 * @property {{ field: string, entries: { value: string, color: string, dashed: boolean }[], fallback: string }} [palette]
 */

// ---- the indicator catalogue (GET /api/indicators) --------------------------------------------

/**
 * A row of the indicator catalogue: where it is reported, how it is rounded in the JSON and
 * shown (the value divided by `display.divisor`, to `display.decimals`, then the unit), and
 * which outputs show it.
 * @typedef {object} IndicatorSpec
 * @property {string} id its key in the coverage answers
 * @property {('group' | 'commune' | 'region')[]} levels
 * @property {'length' | 'pct' | 'count' | 'money' | 'work'} kind
 * @property {number} decimals of the value in the JSON answers
 * @property {'half_away_from_zero'} rounding
 * @property {{ divisor: number, decimals: number, unit: Titles }} display
 * @property {Titles} title
 * @property {Titles} short for narrow table headers
 * @property {boolean} target whether a commune may set a target for it
 * @property {boolean} road whether it is also reported per road class (`by_class`)
 * @property {string | null} share_of for a share: the length it is a share of
 * @property {{ table: boolean, choropleth: boolean, dashboard: boolean, slides: boolean, timeline: boolean }} outputs
 */

// ---- config, communes, search, session -------------------------------------------------------

/** [west, south, east, north] in degrees. @typedef {[number, number, number, number]} Bbox */

/** A map view: zoom and centre [lon, lat] (as the URL gives it). @typedef {{ zoom: number, center: [number, number] }} MapView */

/** An optional raster basemap. @typedef {{ tiles: string[], attribution?: string }} Basemap */

/** GET /api/config. @typedef {{ basemap: Basemap | null, default_commune: string | null }} Config */

/**
 * A commune of GET /api/communes.
 * @typedef {object} Commune
 * @property {string} code
 * @property {string} name
 * @property {string} kind
 * @property {string} province
 * @property {number} groups
 * @property {Bbox} bbox
 */

/**
 * A hit of GET /api/search.
 * @typedef {object} SearchHit
 * @property {string} layer
 * @property {number | string} id
 * @property {string} name
 * @property {string} commune
 * @property {Bbox | null} bbox
 */

/**
 * A signed-in account, as GET /api/session gives it.
 * @typedef {object} User
 * @property {string} username
 * @property {string} [display_name]
 * @property {string} role `admin`, `editor` or `viewer`
 * @property {string[]} [communes] the communes an editor keeps
 */

/** The page's session: who, and the token every write carries. @typedef {{ user: User | null, csrf_token: string | null }} Session */

/**
 * An API error body: what went wrong and where (`detail.field`, `detail.geometry`...).
 * @typedef {{ error?: string, detail?: Record<string, unknown> | null }} ErrorBody
 */

// ---- features -------------------------------------------------------------------------------

/** A feature id: a number for works and groups, a code for communes. @typedef {number | string} FeatureId */

/** Feature properties as the API serves them (by catalogue field name). @typedef {Record<string, unknown>} Properties */

/** A feature of a catalogue layer. @typedef {Feature<Geometry, Properties>} LayerFeature */

/** @typedef {FeatureCollection<Geometry, Properties>} LayerFeatures */

/**
 * An entry of a feature's history (GET .../features/{id}/history).
 * @typedef {object} HistoryEntry
 * @property {number} id
 * @property {string} at
 * @property {string | null} [actor]
 * @property {string | null} [actor_name]
 * @property {string} action create, insert, import, update, delete or restore
 * @property {number | null} [version]
 * @property {{ properties?: Properties, geometry?: Geometry } | null} [before]
 * @property {{ properties?: Properties, geometry?: Geometry } | null} [after]
 */

// ---- coverage (GET /api/coverage, /api/coverage.geojson, /api/coverage/timeline) -------------

/** An indicator's target and whether it is met (null: nothing to measure). @typedef {{ target: number, met: boolean | null }} TargetStatus */

/** @typedef {{ total: number, by_field: Record<string, number>, by_recognition: Record<string, number> }} SiteCounts */

/**
 * The indicators' stored values by id (`road_m`, `concrete_pct`, `drained_pct`...: every
 * indicator of the catalogue at the record's level; null for a share without roads).
 * @typedef {Record<string, number | null>} IndicatorValues
 */

/** The road indicators of one road class. @typedef {IndicatorValues & { class: string, counted: boolean }} ClassIndicators */

/**
 * The indicators of a coverage record: the commune, a group, the works outside every group,
 * a year of the timeline. `model_sites` is the count with its breakdown.
 * @typedef {{
 *   model_sites: SiteCounts,
 *   by_class: ClassIndicators[],
 *   targets?: Record<string, TargetStatus>,
 * } & Record<string, unknown>} Indicators
 */

/**
 * A residential group with its indicators.
 * @typedef {Indicators & { id: number, code: string, name: string, kind: string, households: number | null, population: number | null }} GroupReport
 */

/**
 * The commune with its indicators.
 * @typedef {Indicators & { code: string, name: string, kind: string, province: string, households: number | null, population: number | null }} CommuneReport
 */

/**
 * What the coverage counts and aims at: the targets in force at the report's date, and the
 * roadmap (a target per indicator and year).
 * @typedef {{ counted_classes: string[], lit_buffer_m: number, targets: Record<string, number>, targets_by_year?: Record<string, Record<string, number>> }} CoverageSettings
 */

/** The coverage report's checks of the groups' polygons. @typedef {{ overlapping: unknown, gap_m2: number, outside_m2: number }} Quality */

/**
 * GET /api/coverage: a commune's coverage at a date.
 * @typedef {object} CoverageReport
 * @property {string} as_of YYYY-MM-DD
 * @property {CommuneReport} commune
 * @property {CoverageSettings} settings
 * @property {GroupReport[]} groups by code
 * @property {Indicators} unassigned
 * @property {Quality | null} [quality]
 */

/**
 * A group polygon's properties in GET /api/coverage.geojson: the indicators flattened
 * (`model_sites` is the total, `<indicator>_target` and `_met` the targets), and the map
 * label the page adds.
 * @typedef {{ id: number, code: string, name: string, label?: string } & Record<string, unknown>} GroupProperties
 */

/** @typedef {Feature<Polygon | MultiPolygon, GroupProperties>} GroupFeature */

/** The choropleth's data. @typedef {FeatureCollection<Polygon | MultiPolygon, GroupProperties> & { as_of?: string, commune?: string }} GroupCollection */

/** A group's timeline values. @typedef {{ code: string } & IndicatorValues} YearGroup */

/** The commune at the end of one year, with that year's targets. @typedef {Indicators & { year: number, as_of: string, groups: YearGroup[] }} YearReport */

/** GET /api/coverage/timeline. @typedef {{ commune: string, settings: CoverageSettings, years: YearReport[] }} Timeline */

// ---- regions (GET /api/regions, /api/coverage?region=) ----------------------------------------

/**
 * A region of GET /api/regions.
 * @typedef {object} Region
 * @property {string} code
 * @property {string} name
 * @property {'province' | 'district' | 'cluster'} kind
 * @property {number} communes
 * @property {Bbox | null} bbox
 */

/** How many communes meet a target, of those with a value. @typedef {{ met: number, of: number }} TargetsMet */

/**
 * A commune's line of a region's coverage.
 * @typedef {Indicators & { code: string, name: string, kind: string, province: string, households: number | null, population: number | null }} CommuneLine
 */

/**
 * A region's totals: every region-level indicator (sums, and shares of the sums), the models
 * by field and recognition, and per target how many communes meet it.
 * @typedef {{ code: string, name: string, kind: string, communes: number, households: number | null, population: number | null, model_sites: SiteCounts, targets_met: Record<string, TargetsMet> } & Record<string, unknown>} RegionTotals
 */

/** GET /api/coverage?region=. @typedef {{ as_of: string, region: RegionTotals, communes: CommuneLine[] }} RegionReport */

/** A year of a region's timeline. @typedef {{ year: number, as_of: string, communes: ({ code: string } & IndicatorValues)[] } & IndicatorValues} RegionYear */

/** GET /api/coverage/timeline?region=. @typedef {{ region: string, as_of: string, years: RegionYear[] }} RegionTimeline */

// ---- the work list (GET /api/worklist) ----------------------------------------------------------

/**
 * A road (or its part in a group) still to concrete.
 * @typedef {{ road_id: number, name: string, class: string, surface: string, status: string, length_m: number, width_m: number, width_assumed: boolean, area_m2: number, cost_vnd: number, people_vnd: number }} WorkItem
 */

/** The work left in a group (`code` null: outside every group). @typedef {{ id: number | null, code: string | null, name: string | null, left_m: number, cost_vnd: number, people_vnd: number, roads: WorkItem[] }} GroupWork */

/**
 * GET /api/worklist.
 * @typedef {{ commune: string, as_of: string, basis: { target_surface: string, unit_cost_vnd_m2: number, default_width_m: number, people_share_pct: number }, left_m: number, cost_vnd: number, people_vnd: number, groups: GroupWork[] }} WorkList
 */

// ---- the page -------------------------------------------------------------------------------

/**
 * What the page is built on, fixed once boot (page/boot.js) has loaded it; handed to each
 * page module. What changes while the page runs is in the store (state.js) instead.
 * @typedef {object} Page
 * @property {MapLibreMap} map
 * @property {Commune} commune the commune shown
 * @property {CatalogueLayer[]} catalogue
 * @property {Config} config
 * @property {Record<string, string[]>} styleLayers each catalogue layer's style layer ids on the map
 * @property {Units | null} units the choropleth's units on the map (the groups)
 */

export {};
