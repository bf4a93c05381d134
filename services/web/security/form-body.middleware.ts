import express, { type NextFunction, type Request, type Response } from 'express';
import multer from 'multer';
import type { Config } from '../../config/config';
import { tempDirOf } from '../../domain/blobs/temp-files';
import { SpillingUploadStorage } from '../../http/parsing/upload-storage';

/**
 * One body parser for every web form, ahead of the CSRF check: url-encoded forms, and multipart
 * (the send form's PDF), held in memory up to 1 MiB and in a temporary file above that: a request
 * refused for its token writes nothing to the database, and its temporary file goes when its
 * response closes.
 */
export function formBody(config: Config) {
  const urlencoded = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2000 });
  const multipart = multer({
    storage: new SpillingUploadStorage(tempDirOf(config.LIENTHONG_DATA_DIR)),
    // Browsers send file names as raw UTF-8; busboy's default (latin1) turned "Kế hoạch.pdf" into mojibake.
    defParamCharset: 'utf8',
    limits: { fileSize: config.LIENTHONG_MAX_FILE_BYTES, files: config.LIENTHONG_MAX_FILES, fields: 2000, fieldSize: 512 * 1024 },
  }).any();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (req.is("multipart/form-data")) return void multipart(req, res, next);
    if (req.is("application/x-www-form-urlencoded")) return void urlencoded(req, res, next);
    req.body = {};
    next();
  };
}
