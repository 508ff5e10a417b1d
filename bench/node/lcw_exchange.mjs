// A wallet client that claims a credential the way the Learner Credential Wallet does
// (its app/lib/exchanges.ts, present.ts and credentialRequest.ts), with Digital Bazaar's
// libraries (LCW uses the @digitalcredentials forks of the same packages): a did:key
// holder with an Ed25519VerificationKey2020 key signing Ed25519Signature2020 presentations.
//
//   node lcw_exchange.mjs exchange URL [--seed HEX] [--challenge C] [--vc-version 1|2]
//     LCW's handleVcApiExchangeComplete: POST {} to URL; while the answer holds a
//     verifiablePresentationRequest, sign a DID-Auth presentation over its challenge and
//     domain and POST {"verifiablePresentation": VP} to interact.service[0].serviceEndpoint
//     (or URL). --challenge signs that challenge instead of the one asked for.
//     -> {"holder", "steps": [{"status", "body"}]}
//   node lcw_exchange.mjs request VC_REQUEST_URL CHALLENGE [--seed HEX] [--vc-version 1|2]
//     LCW's requestCredential (the dccrequest://request?vc_request_url=… deep link):
//     POST the bare DID-Auth presentation (challenge, no domain).
//     -> {"holder", "steps": [{"status", "body"}]}
//   node lcw_exchange.mjs verify CREDENTIAL [--document URL=FILE]...
//     Digital Bazaar's verifier, with the credential's status entries checked against the
//     status list credentials given as documents (nothing is fetched); a set bit fails it.
//     -> {"verified", "errors", "status": [{"purpose", "verified", "status"}]}
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {makeLoader, readJson} from './vc_stack.mjs';

const MAX_INTERACTIONS = 10;  // as LCW

function parseArgs(argv) {
  const positional = [];
  const options = {documents: new Map(), seed: null, challenge: null, vcVersion: 2};
  for(let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    if(arg === '--document') {
      const [url, file] = argv[++i].split(/=(.*)/s);
      options.documents.set(url, JSON.parse(readFileSync(file, 'utf8')));
    } else if(arg === '--seed') {
      options.seed = Buffer.from(argv[++i], 'hex');
    } else if(arg === '--challenge') {
      options.challenge = argv[++i];
    } else if(arg === '--vc-version') {
      options.vcVersion = Number(argv[++i]);
    } else {
      positional.push(arg);
    }
  }
  return {positional, options};
}

// The wallet's DID record: a did:key of an Ed25519VerificationKey2020 key (LCW's didRecord).
async function holderKey(seed) {
  const keys = didKeyDriver();
  keys.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from});
  const verificationKeyPair = await Ed25519VerificationKey2020.generate(
    seed ? {seed} : {});
  const {didDocument, methodFor} = await keys.fromKeyPair({verificationKeyPair});
  const authentication = methodFor({purpose: 'authentication'});
  const key = await Ed25519VerificationKey2020.from({
    ...authentication.export({publicKey: true}),
    privateKeyMultibase: verificationKeyPair.privateKeyMultibase
  });
  // LCW: holder = didRecord.didDocument.authentication[0].split('#')[0]
  const holder = didDocument.authentication[0].split('#')[0];
  return {holder, suite: new Ed25519Signature2020({key})};
}

// LCW's constructExchangeRequest (a signed presentation with no credentials: DID-Auth).
async function didAuthPresentation({holder, suite, challenge, domain, vcVersion, loader}) {
  const presentation = vc.createPresentation({holder, version: vcVersion});
  return vc.signPresentation({
    presentation, suite, challenge, domain, documentLoader: loader
  });
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body, null, 2)
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = {text};
  }
  return {status: response.status, body: parsed};
}

// LCW's handleVcApiExchangeComplete, recording every answer on the way.
async function exchange(url, options, loader) {
  const {holder, suite} = await holderKey(options.seed);
  const steps = [];
  let request = {};
  let target = url;
  for(let interactions = 0; interactions < MAX_INTERACTIONS; ++interactions) {
    const answer = await post(target, request);
    steps.push(answer);
    const vpr = answer.body && answer.body.verifiablePresentationRequest;
    if(answer.status >= 400 || !vpr) {
      return {holder, steps};
    }
    const queries = [].concat(vpr.query);
    const signed = queries.some(
      q => q.type === 'DIDAuthentication' || q.type === 'DIDAuth');
    if(!signed) {
      throw new Error(`the request asks for no DID authentication: ${JSON.stringify(vpr)}`);
    }
    const challenge = options.challenge ?? vpr.challenge;
    const verifiablePresentation = await didAuthPresentation({
      holder, suite, challenge, domain: vpr.domain, vcVersion: options.vcVersion, loader
    });
    request = {verifiablePresentation};
    target = vpr.interact?.service?.[0]?.serviceEndpoint ?? target;
  }
  throw new Error(`Request timed out after ${MAX_INTERACTIONS} interactions`);
}

// LCW's requestCredential: the bare DID-Auth presentation, challenge from the link.
async function credentialRequest(vcRequestUrl, challenge, options, loader) {
  const {holder, suite} = await holderKey(options.seed);
  const presentation = await didAuthPresentation({
    holder, suite, challenge, domain: undefined, vcVersion: options.vcVersion, loader
  });
  return {holder, steps: [await post(vcRequestUrl, presentation)]};
}

async function verifyWithStatus(credential, loader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const status = [];
  const result = await vc.verifyCredential({
    credential, suite, documentLoader: loader,
    checkStatus: async options => {
      const entries = [].concat(credential.credentialStatus || []);
      let verified = true;
      for(const entry of entries) {
        const one = await checkStatus({
          ...options, credential: {...credential, credentialStatus: entry},
          verifyStatusListCredential: true, verifyMatchingIssuers: true
        });
        const bit = one.verified ? one.results?.[0]?.status ?? one.status : null;
        // The check ran (verified) and the bit is clear: a set revocation or suspension
        // bit makes the credential fail, as a relying party reads the status.
        verified = verified && one.verified && bit === false;
        status.push({
          purpose: entry.statusPurpose,
          verified: one.verified,
          status: bit,
          error: one.error ? String(one.error.message || one.error) : undefined
        });
      }
      return {verified};
    }
  });
  const errors = [];
  for(const e of [].concat(result.error || [])) {
    errors.push(...[].concat(e.errors || e).map(x => x.message || String(x)));
  }
  for(const r of result.results || []) {
    if(r.error) {
      errors.push(...[].concat(r.error).map(e => e.message || String(e)));
    }
  }
  return {verified: result.verified, errors, status};
}

const [command, ...rest] = process.argv.slice(2);
const {positional, options} = parseArgs(rest);
const loader = makeLoader(options.documents);
let output;
if(command === 'exchange') {
  output = await exchange(positional[0], options, loader);
} else if(command === 'request') {
  output = await credentialRequest(positional[0], positional[1], options, loader);
} else if(command === 'verify') {
  output = await verifyWithStatus(readJson(positional[0]), loader);
} else {
  console.error('usage: node lcw_exchange.mjs exchange|request|verify ...');
  process.exit(2);
}
process.stdout.write(JSON.stringify(output) + '\n');
