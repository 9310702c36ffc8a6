// Error bodies as Nova and Keystone write them (api-ref "Response codes"): Nova wraps the message in a
// fault name per status, Keystone in {"error": {...}}.
import type { Response } from 'express';

const novaFaultNames: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function novaError(res: Response, status: number, message: string): void {
  const fault = novaFaultNames[status] ?? 'computeFault';
  res.status(status).json({ [fault]: { code: status, message } });
}

const keystoneTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  503: 'Service Unavailable',
};

export function keystoneError(res: Response, status: number, message: string): void {
  res.status(status).json({ error: { code: status, title: keystoneTitles[status] ?? 'Error', message } });
}

/** 401 as keystonemiddleware answers in front of Nova. */
export function unauthorized(res: Response, authUrl: string): void {
  res.setHeader('WWW-Authenticate', `Keystone uri="${authUrl}"`);
  res.status(401).json({
    error: {
      code: 401,
      title: 'Unauthorized',
      message: 'The request you have made requires authentication.',
    },
  });
}
