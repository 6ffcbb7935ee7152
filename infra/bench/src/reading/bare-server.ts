// The Node.js HTTP ceiling of the package benchmark: the least a Node server must do to send a
// stored blob over HTTP (the same BlobStore, the same http server, the same sendStream as the
// route, the same Node flags; no token, grant, audit or Range handling), so the download
// route's own cost shows apart from the transport's.
// Env: BLOB_STORE, BLOB_DIR, MONGODB_URI, READING_DB, BLOB_ID, PORT.
import http from 'node:http';
import { MongoClient } from 'mongodb';
import { createBlobStore } from '@yuejuan/runtime/storage';
import { sendStream } from '../../../../subgraphs/reading/src/services/send-stream.ts';

const env = process.env;
const mongo = new MongoClient(env.MONGODB_URI!);
const blobs = createBlobStore(
  { BLOB_STORE: env.BLOB_STORE as 'fs' | 'gridfs', BLOB_DIR: env.BLOB_DIR! },
  'reading',
  mongo.db(env.READING_DB),
);
const size = await blobs.size('packages', env.BLOB_ID!);
http
  .createServer((req, res) => {
    if (req.url === '/ready') {
      res.end('ok');
      return;
    }
    res.setHeader('content-length', String(size));
    const stream = blobs.open('packages', env.BLOB_ID!);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    sendStream(stream, res);
  })
  .listen(Number(env.PORT), '127.0.0.1');
