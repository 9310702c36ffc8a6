import assert from 'node:assert/strict';
import { pruneJson, type JsonPrune } from '../../../src/runtime/json-prune.js';
import { eventText } from '../../../src/runtime/line-watch.js';

function prune(text: string, rules: JsonPrune): unknown {
  const kept = pruneJson(Buffer.from(text), rules);
  return kept === undefined ? undefined : JSON.parse(kept);
}

const nodeRules: JsonPrune = {
  object: { metadata: { managedFields: 'drop' }, status: { '*': 'drop', addresses: 'keep' } },
};

function kubeletEvent(): Record<string, unknown> {
  return {
    type: 'MODIFIED',
    object: {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: {
        name: 'n1',
        resourceVersion: '42',
        labels: { zone: 'a', 'tricky}': '{"status":[' },
        managedFields: [{ manager: 'kubelet', fieldsV1: { 'f:status': { 'k:{"type":"Ready"}': {} } } }],
      },
      spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] },
      status: {
        capacity: { cpu: '4' },
        conditions: [{ type: 'Ready', status: 'True', message: 'say \\"hi\\" }]' }],
        addresses: [{ type: 'InternalIP', address: '198.18.0.1' }],
        nodeInfo: { kubeletVersion: 'v1', count: 12.5e3, ok: true, none: null },
      },
    },
  };
}

describe('pruneJson', function () {
  it('keeps exactly what the rules keep, and everything the rules do not name', function () {
    const event = kubeletEvent();
    const expected = structuredClone(event) as {
      object: { metadata: Record<string, unknown>; status: unknown };
    };
    delete expected.object.metadata.managedFields;
    expected.object.status = { addresses: [{ type: 'InternalIP', address: '198.18.0.1' }] };
    assert.deepEqual(prune(JSON.stringify(event), nodeRules), expected);
  });

  it('is not misled by brackets, quotes and member names inside strings', function () {
    const text = '{"a":"}]\\\\","b":{"c":"\\"d\\":{","d":[1,{"e":"]"}]},"f":"x"}';
    assert.deepEqual(prune(text, { b: { d: 'drop' } }), { a: '}]\\', b: { c: '"d":{' }, f: 'x' });
    assert.deepEqual(prune(text, { '*': 'drop', f: 'keep' }), { f: 'x' });
  });

  it('reads an escaped member name as the name it means', function () {
    assert.deepEqual(prune('{"st\\u0061tus":{"x":1,"addresses":[]},"y":2}', nodeRules.object as JsonPrune), {
      status: { addresses: [] },
      y: 2,
    });
  });

  it('keeps a value whole when a nested rule meets something other than an object', function () {
    // An ERROR event carries a Status whose "status" is a string.
    const error = { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410 } };
    assert.deepEqual(prune(JSON.stringify(error), nodeRules), error);
  });

  it('copes with whitespace, empty objects, numbers, literals and multi-byte characters', function () {
    const text =
      ' { "a" : { } , "b" : -1.5e+2 , "c" : [ true , false , null ] , "d" : "é✓" , "e" : {"f":1} } \r';
    assert.deepEqual(prune(text, { e: 'drop' }), { a: {}, b: -150, c: [true, false, null], d: 'é✓' });
    assert.deepEqual(prune('{}', { a: 'drop' }), {});
  });

  it('gives up on text that is not one well-formed object, so the caller parses it and fails there', function () {
    for (const bad of [
      '',
      '[1,2]',
      '{"a":"unterminated}',
      '{"a":{"b":1}',
      '{"a":[1,2}',
      '{"a" 1}',
      '{"a":1;"b":2}',
      '{"a":}',
      '{a:1}',
      '{"a":1} trailing',
    ]) {
      assert.equal(pruneJson(Buffer.from(bad), { a: 'drop' }), undefined, bad);
    }
  });

  it('handles an event larger than its reusable buffer, and the next one after it', function () {
    const big = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x'.repeat(300_000) } } });
    assert.equal(pruneJson(Buffer.from(big), nodeRules), big);
    assert.deepEqual(prune('{"type":"DELETED","object":{}}', nodeRules), { type: 'DELETED', object: {} });
  });
});

describe('eventText', function () {
  it('prunes an event line when it has rules and hands over the whole line otherwise', function () {
    const line = Buffer.from(JSON.stringify(kubeletEvent()));
    const pruned = JSON.parse(eventText(line, nodeRules)) as { object: { status: unknown } };
    assert.deepEqual(Object.keys(pruned.object.status as object), ['addresses']);
    assert.deepEqual(JSON.parse(eventText(line, undefined)), kubeletEvent());
    // Malformed text is left whole: JSON.parse then refuses it as before.
    assert.equal(eventText(Buffer.from('{"type":'), nodeRules), '{"type":');
  });
});
