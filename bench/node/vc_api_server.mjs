// A minimal VC API server built only from Digital Bazaar's libraries and node:http: the
// baseline of bench/vc_api_bench.py. One process, everything in memory, nothing stored or
// logged: issue signs the posted credential with eddsa-rdfc-2022 under one did:key and
// returns it; verify checks a credential's data model, validity and proof.
//
//   node vc_api_server.mjs --port PORT --seed SEED_HEX [--host 127.0.0.1] [--token TOKEN]
//
//   POST /v1/issuers/{id}/credentials/issue  {credential, options?} -> 201 {verifiableCredential}
//   POST /v1/credentials/verify              {verifiableCredential} -> 200 / 400 {verified, ...}
//   GET  /healthz                                                    -> 200 {status: "ok"}
//
// With --token, issuing needs `Authorization: Bearer TOKEN` (compared in constant time), as
// credledger's issuers need their bearer token. The posted credential's issuer must be this
// server's did:key (or absent: then it is set), as credledger requires of its issuers. The
// document loader is vc_stack.mjs's: bundled contexts, local did:key documents, no network.
import {createServer} from 'node:http';
import {timingSafeEqual} from 'node:crypto';
import {parseArgs} from 'node:util';
import {keyPair, makeLoader, sign, verify} from './vc_stack.mjs';

const MAX_BODY = 1024 * 1024;
const ISSUE = /^\/v1\/issuers\/[^/]+\/credentials\/issue$/;

const {values: options} = parseArgs({
  options: {
    host: {type: 'string', default: '127.0.0.1'},
    port: {type: 'string'},
    seed: {type: 'string'},
    token: {type: 'string'}
  }
});
if(!options.port || !options.seed) {
  console.error('usage: node vc_api_server.mjs --port PORT --seed SEED_HEX [--token TOKEN]');
  process.exit(2);
}
const key = await keyPair(options.seed);
const documentLoader = makeLoader(new Map());
const expectedAuthorization = options.token === undefined ?
  null : Buffer.from(`Bearer ${options.token}`);

function send(response, status, body, type = 'application/json') {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {'Content-Type': type, 'Content-Length': bytes.length});
  response.end(bytes);
}

function problem(response, status, title, detail) {
  send(response, status, {type: 'about:blank', status, title, detail},
    'application/problem+json');
}

async function readBody(request) {
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if(size > MAX_BODY) {
      throw Object.assign(new Error('body too large'), {status: 413});
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch(e) {
    throw Object.assign(new Error(`invalid JSON: ${e.message}`), {status: 400});
  }
}

function authorized(request) {
  if(expectedAuthorization === null) {
    return true;
  }
  const given = Buffer.from(request.headers.authorization || '');
  return given.length === expectedAuthorization.length &&
    timingSafeEqual(given, expectedAuthorization);
}

async function issue(request, response) {
  if(!authorized(request)) {
    return problem(response, 401, 'Unauthorized', 'a valid bearer token is required');
  }
  const body = await readBody(request);
  const credential = body?.credential;
  if(typeof credential !== 'object' || credential === null || Array.isArray(credential)) {
    return problem(response, 400, 'Bad Request', 'credential must be an object');
  }
  const issuer = credential.issuer;
  const issuerId = typeof issuer === 'object' && issuer !== null ? issuer.id : issuer;
  if(issuer === undefined) {
    credential.issuer = key.controller;
  } else if(issuerId !== key.controller) {
    return problem(response, 400, 'Bad Request', `issuer must be ${key.controller}`);
  }
  let verifiableCredential;
  try {
    verifiableCredential = await sign(credential, key, undefined, documentLoader);
  } catch(e) {
    return problem(response, 400, 'Bad Request', e.message || String(e));
  }
  send(response, 201, {verifiableCredential});
}

async function verifyCredential(request, response) {
  const body = await readBody(request);
  const credential = body?.verifiableCredential;
  if(typeof credential !== 'object' || credential === null || Array.isArray(credential)) {
    return problem(response, 400, 'Bad Request', 'verifiableCredential must be an object');
  }
  const result = await verify(credential, documentLoader);
  send(response, result.verified ? 200 : 400, {
    verified: result.verified,
    checks: result.verified ? ['proof'] : [],
    warnings: [],
    errors: result.errors.map(message => ({message}))
  });
}

async function route(request, response) {
  const path = request.url.split('?', 1)[0];
  if(request.method === 'POST' && ISSUE.test(path)) {
    return issue(request, response);
  }
  if(request.method === 'POST' && path === '/v1/credentials/verify') {
    return verifyCredential(request, response);
  }
  if(request.method === 'GET' && path === '/healthz') {
    return send(response, 200, {status: 'ok'});
  }
  problem(response, 404, 'Not Found', `no route ${request.method} ${path}`);
}

const server = createServer((request, response) => {
  route(request, response).catch(e => {
    if(!response.headersSent) {
      problem(response, e.status || 500, e.status ? 'Bad Request' : 'Internal Server Error',
        e.message || String(e));
    } else {
      response.destroy();
    }
  });
});
server.listen(Number(options.port), options.host, () => {
  console.log(`listening on http://${options.host}:${options.port} as ${key.controller}`);
});
for(const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
