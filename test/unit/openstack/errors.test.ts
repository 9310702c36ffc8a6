import assert from 'node:assert/strict';
import { isRetryableError, OpenStackHttpError, parseErrorBody } from '../../../src/openstack/errors.js';
import { HttpTransportError } from '../../../src/util/http-client.js';

describe('OpenStack errors', () => {
  it('reads Nova and Keystone error bodies', () => {
    assert.deepEqual(
      parseErrorBody('{"itemNotFound": {"code": 404, "message": "Instance x could not be found."}}'),
      {
        fault: 'itemNotFound',
        message: 'Instance x could not be found.',
      },
    );
    assert.deepEqual(
      parseErrorBody('{"error": {"code": 401, "title": "Unauthorized", "message": "auth needed"}}'),
      {
        fault: '',
        message: 'auth needed',
      },
    );
    assert.deepEqual(parseErrorBody('<html>Bad Gateway</html>'), {
      fault: '',
      message: '<html>Bad Gateway</html>',
    });
  });

  it('carries the API message and retries only 5xx and transport failures', () => {
    const notFound = new OpenStackHttpError(
      'compute',
      'PUT',
      '/os-services/x',
      404,
      'itemNotFound',
      'Service x not found',
    );
    assert.equal(notFound.message, 'compute PUT /os-services/x: HTTP 404 itemNotFound: Service x not found');
    assert.equal(isRetryableError(notFound), false);
    assert.equal(
      isRetryableError(new OpenStackHttpError('compute', 'GET', '/', 503, 'serviceUnavailable', '')),
      true,
    );
    assert.equal(isRetryableError(new HttpTransportError('refused', 'connection', 'ECONNREFUSED')), true);
    assert.equal(isRetryableError(new HttpTransportError('slow', 'timeout')), true);
    assert.equal(isRetryableError(new HttpTransportError('bad cert', 'tls', 'CERT_HAS_EXPIRED')), false);
    assert.equal(isRetryableError(new Error('anything else')), false);
  });
});
