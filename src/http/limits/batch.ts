import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Refuses a JSON array of more operations than allowed, before any of them is parsed as GraphQL. */
export function batchLimit(maxBatch: number): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!Array.isArray(req.body) || req.body.length <= maxBatch) {
      next();
      return;
    }
    res.status(400).json({
      errors: [{ message: '批量操作过多 / Too many operations in one request', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'batch', requestId: res.locals.requestId } }],
    });
  };
}
