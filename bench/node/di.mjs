// Digital Bazaar's VC stack (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022) as the
// baseline for bench/sign_verify_bench.py and the oracle for tests/interop/.
//
//   node di.mjs bench  CREDENTIAL N SEED_HEX CREATED   -> {"sign_per_s", "verify_per_s", ...}
//   node di.mjs sign   CREDENTIAL SEED_HEX CREATED     -> the signed credential
//   node di.mjs verify CREDENTIAL...                   -> [{"verified", "errors"}, ...]
//   node di.mjs status CREDENTIAL                      -> {"verified", "results": [{"purpose", "status"}]}
//     (the BitstringStatusListEntry check, list credentials given with --document)
//   node di.mjs canonize DOCUMENTS                     -> [{"nquads"} or {"error"}, ...]
//     (DOCUMENTS: a JSON array; canonised exactly as eddsa-rdfc-2022 does before hashing)
//   node di.mjs canonize-nquads DATASETS               -> [{"nquads"} or {"error"}, ...]
//     (DATASETS: a JSON array of N-Quads texts; RDFC-1.0 by rdf-canonize, the library
//     jsonld.js and eddsa-rdfc-2022 use, without a work limit)
//
// CREDENTIAL is a file name or "-" for stdin. Options: --document URL=FILE (repeatable) adds a
// document to the loader. Contexts come from crypto/contexts (index.json) and did:key
// documents are built locally: nothing is ever fetched.
import {performance} from 'node:perf_hooks';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {keyPair, makeLoader, readJson, sign, verify} from './vc_stack.mjs';
// rdf-canonize comes with jsonld (a dependency of the packages above), at the version
// package-lock.json pins: the canonicaliser Digital Bazaar's verifiers run.
import * as rdfCanonize from 'rdf-canonize';

function parseArgs(argv) {
  const positional = [];
  const documents = new Map();
  for(let i = 0; i < argv.length; ++i) {
    if(argv[i] === '--document') {
      const [url, file] = argv[++i].split(/=(.*)/s);
      documents.set(url, readJson(file));
    } else {
      positional.push(argv[i]);
    }
  }
  return {positional, documents};
}

async function status(credential, documentLoader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const entries = [].concat(credential.credentialStatus || []);
  const results = [];
  let verified = true;
  for(const entry of entries) {
    const one = {...credential, credentialStatus: entry};
    const result = await checkStatus({
      credential: one, documentLoader, suite,
      verifyStatusListCredential: true, verifyMatchingIssuers: true
    });
    verified = verified && result.verified;
    results.push({
      purpose: entry.statusPurpose,
      verified: result.verified,
      status: result.verified ? result.results?.[0]?.status ?? result.status : null,
      error: result.error ? String(result.error.message || result.error) : undefined
    });
  }
  return {verified, results};
}

async function bench([file, n, seedHex, created], documentLoader) {
  const credential = readJson(file);
  const count = Number(n);
  const key = await keyPair(seedHex);
  let signed = await sign(credential, key, created, documentLoader);
  for(let i = 0; i < 10; ++i) {  // warm up the JIT and jsonld.js's context cache
    signed = await sign(credential, key, created, documentLoader);
    await verify(signed, documentLoader);
  }
  const check = await verify(signed, documentLoader);
  if(!check.verified) {
    throw new Error(`Digital Bazaar cannot verify its own credential: ${check.errors}`);
  }
  let start = performance.now();
  for(let i = 0; i < count; ++i) {
    await sign(credential, key, created, documentLoader);
  }
  const signSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  for(let i = 0; i < count; ++i) {
    await verify(signed, documentLoader);
  }
  const verifySeconds = (performance.now() - start) / 1000;
  return {
    n: count,
    sign_per_s: count / signSeconds,
    verify_per_s: count / verifySeconds,
    proof_value: signed.proof.proofValue,
    node: process.version
  };
}

const [command, ...rest] = process.argv.slice(2);
const {positional, documents} = parseArgs(rest);
const documentLoader = makeLoader(documents);
let output;
if(command === 'bench') {
  output = await bench(positional, documentLoader);
} else if(command === 'sign') {
  const [file, seedHex, created] = positional;
  output = await sign(readJson(file), await keyPair(seedHex), created, documentLoader);
} else if(command === 'verify') {
  output = [];
  for(const file of positional) {
    output.push(await verify(readJson(file), documentLoader));
  }
} else if(command === 'status') {
  output = await status(readJson(positional[0]), documentLoader);
} else if(command === 'canonize') {
  output = [];
  for(const document of readJson(positional[0])) {
    try {
      output.push({nquads: await eddsaRdfc2022.canonize(document, {documentLoader})});
    } catch(e) {
      const code = e.details?.event?.code || e.details?.code || e.message;
      output.push({error: String(code)});
    }
  }
} else if(command === 'canonize-nquads') {
  output = [];
  for(const dataset of readJson(positional[0])) {
    try {
      output.push({nquads: await rdfCanonize.canonize(dataset, {
        algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', maxWorkFactor: 100
      })});
    } catch(e) {
      output.push({error: String(e.message)});
    }
  }
} else {
  console.error('usage: node di.mjs bench|sign|verify|status|canonize|canonize-nquads ...');
  process.exit(2);
}
process.stdout.write(JSON.stringify(output) + '\n');
