// The page's state store (web/js/state.js), in Node: it has no DOM.
//   node --test tests/web/

import assert from 'node:assert/strict';
import test from 'node:test';
import { editorHasTheMap, getState, loaded, subscribe, update } from '../../web/js/state.js';

test('update merges a patch into a new frozen topic and leaves the other topics as they were', () => {
  const before = getState();
  update('view', { indicator: 'lit_pct', asOf: '2016-12-31' });
  const after = getState();
  assert.notEqual(after.view, before.view, 'a new object, not the old one changed');
  assert.deepEqual(after.view, { ...before.view, indicator: 'lit_pct', asOf: '2016-12-31' });
  assert.equal(after.data, before.data);
  assert.equal(after.edit, before.edit);
  assert.ok(Object.isFrozen(after.view));
  assert.throws(() => { 'use strict'; after.view.indicator = 'x'; }, TypeError);
});

test('listeners hear their topic only, in the order they subscribed, with the current and previous values', () => {
  const heard = [];
  const stopFirst = subscribe('view', (current, previous) => heard.push(['first', previous.group, current.group]));
  const stopSecond = subscribe('view', (current) => heard.push(['second', current.group]));
  const stopEdit = subscribe('edit', () => heard.push(['edit']));
  update('view', { group: 'TDP04' });
  assert.deepEqual(heard, [['first', null, 'TDP04'], ['second', 'TDP04']]);
  stopFirst();
  stopSecond();
  stopEdit();
  update('view', { group: null });
  assert.equal(heard.length, 2, 'stopped listeners hear nothing');
});

test('an update that changes nothing tells no one', () => {
  let calls = 0;
  const stop = subscribe('presentation', () => { calls += 1; });
  update('presentation', { active: true });
  update('presentation', { active: true });
  update('presentation', { active: false });
  stop();
  assert.equal(calls, 2);
});

test('loaded() refuses before the data is there, and gives it after', () => {
  assert.throws(() => loaded(), /not loaded/);
  const coverage = { as_of: '2020-12-31', groups: [] };
  const geojson = { type: 'FeatureCollection', features: [] };
  const classes = { breaks: [40, 60, 80, 95], colors: ['a', 'b', 'c', 'd', 'e'] };
  update('data', { coverage, geojson, classes });
  const data = loaded();
  assert.equal(data.coverage, coverage);
  assert.equal(data.timeline, null);
});

test('the map belongs to the editor only for an allowed user with a tool or a feature in the form', () => {
  update('edit', { allowed: false, tool: { kind: 'pick' } });
  assert.equal(editorHasTheMap(), false);
  update('edit', { allowed: true });
  assert.equal(editorHasTheMap(), true);
  update('edit', { tool: null });
  assert.equal(editorHasTheMap(), false);
});
