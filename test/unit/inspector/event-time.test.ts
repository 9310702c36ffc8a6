import assert from 'node:assert/strict';
import { isoTime, parseEventTime } from '../../../src/inspector/event-time.js';

describe('inspector event time', function () {
  it('reads a zoneless Doctor time as UTC and keeps microsecond strings parseable', function () {
    assert.equal(parseEventTime('2017-05-08T13:50:39.710436'), Date.UTC(2017, 4, 8, 13, 50, 39, 710));
  });

  it('truncates below the millisecond instead of rounding', function () {
    assert.equal(parseEventTime('2017-05-08T13:50:39.999999'), Date.UTC(2017, 4, 8, 13, 50, 39, 999));
    assert.equal(parseEventTime('2017-05-08T13:50:39.123456789Z'), Date.UTC(2017, 4, 8, 13, 50, 39, 123));
  });

  it('honours Z and numeric offsets', function () {
    const utc = Date.UTC(2024, 0, 1, 12, 0, 0, 500);
    assert.equal(parseEventTime('2024-01-01T12:00:00.5Z'), utc);
    assert.equal(parseEventTime('2024-01-01T14:00:00.500+02:00'), utc);
    assert.equal(parseEventTime('2024-01-01T07:30:00.500-0430'), utc);
  });

  it('accepts a space separator and no fraction', function () {
    assert.equal(parseEventTime('2024-01-01 12:00:00'), Date.UTC(2024, 0, 1, 12));
  });

  it('refuses impossible dates and times rather than rolling them over', function () {
    for (const text of [
      '2023-02-29T00:00:00',
      '2024-13-01T00:00:00',
      '2024-04-31T00:00:00',
      '2024-01-01T24:00:00',
      '2024-01-01T00:60:00',
      '2024-01-01T00:00:00+24:00',
      '0099-01-01T00:00:00',
      '9999-12-31T23:59:60Z',
      '9999-12-31T23:30:00-01:00',
      '2024-01-01',
      '2024-01-01T00:00',
      'yesterday',
      '',
    ]) {
      assert.equal(parseEventTime(text), undefined, text);
    }
    assert.equal(parseEventTime('2024-02-29T00:00:00'), Date.UTC(2024, 1, 29));
  });

  it("knows every month's last day, century leap rules included", function () {
    for (const year of [1900, 1999, 2000, 2023, 2024, 2100, 2400]) {
      for (let month = 1; month <= 12; month++) {
        const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const day = (d: number) =>
          `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00`;
        assert.equal(parseEventTime(day(last)), Date.UTC(year, month - 1, last), day(last));
        assert.equal(parseEventTime(day(last + 1)), undefined, day(last + 1));
      }
    }
  });

  it('formats RFC 3339 UTC with milliseconds', function () {
    assert.equal(isoTime(Date.UTC(2017, 4, 8, 13, 50, 39, 710)), '2017-05-08T13:50:39.710Z');
  });
});
