import assert from 'node:assert/strict';
import { summariseWindow, type CpuProfile } from '../../../bench/lib/profile-window.js';

const frame = (functionName: string, url = 'file:///x/dist/src/a.js') => ({
  functionName,
  url,
  lineNumber: 0,
});

describe('CPU profile window', () => {
  it('counts the samples inside the window only, by top frame and by any frame on the stack', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3] },
        { id: 2, callFrame: frame('handle'), children: [4] },
        { id: 3, callFrame: frame('(idle)', '') },
        { id: 4, callFrame: frame('send') },
      ],
      startTime: 1_000,
      // Samples at 1100, 1200, 1300, 1400, 1500 us.
      samples: [4, 4, 2, 3, 4],
      timeDeltas: [100, 100, 100, 100, 100],
    };
    const s = summariseWindow(profile, 1_150, 1_450);
    assert.equal(s.busySamples, 2);
    assert.equal(s.idleSamples, 1);
    assert.equal(s.busyMs, 0.2);
    assert.deepEqual(s.self, [
      ['send src/a.js:1', 1],
      ['handle src/a.js:1', 1],
    ]);
    assert.deepEqual(s.inclusive[0], ['handle src/a.js:1', 2]);
  });
});
