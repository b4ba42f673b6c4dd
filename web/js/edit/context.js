// @ts-check
// The editor's context, handed to each of its modules: what does not change while the page
// runs (the page, the catalogue by id, the popup, the toolbar and the form's place) and the
// commands by which the modules call each other. edit/index.js makes it once and wires the
// commands, so that no module imports the module that calls it back (the form calls save,
// save opens the form again...). What changes (tool, feature in the form, undo stack) is in
// the store (state.js, topic `edit`). Type-only: never fetched by the browser.

/**
 * @import { Popup } from 'maplibre-gl'
 * @import { Tool } from '../state.js'
 * @import { CatalogueLayer, FeatureId, Page } from '../types.js'
 * @import { Toolbar } from './toolbar.js'
 */

/**
 * @typedef {object} EditCommands
 * @property {(layer: string, id: FeatureId, options?: { message?: string | null }) => Promise<void>} open
 *   opens the form on a stored feature, its vertices ready to move
 * @property {() => void} close closes the form and leaves the tool
 * @property {(tool: Tool | null) => Promise<void>} setTool
 * @property {() => Promise<void>} save saves the form
 * @property {(drawId: string | number, context: { action: string }) => void} drawn
 *   terra-draw finished a drawing: a new feature for the form
 * @property {(drawIds: (string | number)[]) => void} reshaped terra-draw moved vertices, or the
 *   line being drawn followed the pointer
 */

/**
 * @typedef {object} EditContext
 * @property {Page} page
 * @property {Map<string, CatalogueLayer>} layers the catalogue by id
 * @property {Popup | null} popup the click popup, closed while editing
 * @property {() => Promise<void>} refresh reloads the works, the choropleth and the numbers
 * @property {Toolbar} toolbar
 * @property {HTMLElement} panel where the form shows, over the panel
 * @property {EditCommands} commands
 */

export {};
