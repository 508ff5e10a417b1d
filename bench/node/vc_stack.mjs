// Digital Bazaar's VC stack (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022), set up the
// way credledger's benchmarks and interop tests use it: shared by di.mjs (the command-line
// oracle) and vc_api_server.mjs (the HTTP baseline). Contexts come from crypto/contexts
// (index.json) and did:key documents are built locally: nothing is ever fetched. A DID
// document given as an extra document also serves its verification methods.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const CONTEXTS = new URL('../../crypto/contexts/', import.meta.url);
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

export function readJson(name) {
  return JSON.parse(readFileSync(name === '-' ? 0 : name, 'utf8'));
}

function bundledContexts() {
  const index = JSON.parse(readFileSync(new URL('index.json', CONTEXTS), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(index)) {
    contexts.set(url, JSON.parse(readFileSync(new URL(entry.file, CONTEXTS), 'utf8')));
  }
  return contexts;
}

function didKeyDocument(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const id = `${did}#${publicKeyMultibase}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{id, type: 'Multikey', controller: did, publicKeyMultibase}],
    authentication: [id],
    assertionMethod: [id],
    capabilityInvocation: [id],
    capabilityDelegation: [id]
  };
}

export function makeLoader(extra) {
  const documents = new Map([...bundledContexts(), ...extra]);
  return async url => {
    let document = documents.get(url);
    if(!document && url.includes('#') && documents.has(url.split('#')[0])) {
      // a verification method of a DID document given as an extra document (e.g.
      // did:web, which a pinned resolver serves: nothing is fetched)
      const controller = documents.get(url.split('#')[0]);
      const method = (controller.verificationMethod || []).find(vm => vm.id === url);
      document = method && {'@context': MULTIKEY_V1, ...method};
    }
    if(!document && url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      const didDocument = didKeyDocument(did);
      document = fragment === undefined ? didDocument : {
        '@context': MULTIKEY_V1,
        ...didDocument.verificationMethod.find(vm => vm.id === url)
      };
    }
    if(!document) {
      throw new Error(`document loader: unknown URL ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

export async function keyPair(seedHex) {
  const key = await Ed25519Multikey.generate({seed: Buffer.from(seedHex, 'hex')});
  key.controller = `did:key:${key.publicKeyMultibase}`;
  key.id = `${key.controller}#${key.publicKeyMultibase}`;
  return key;
}

export async function sign(credential, key, created, documentLoader) {
  const suite = new DataIntegrityProof({
    signer: key.signer(), date: created, cryptosuite: eddsaRdfc2022
  });
  return vc.issue({credential: structuredClone(credential), suite, documentLoader});
}

export async function verify(credential, documentLoader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    // Status is credledger's revocation layer's concern, not the proof's.
    checkStatus: async () => ({verified: true})
  });
  const errors = [];
  if(result.error) {
    errors.push(...[].concat(result.error).map(e => e.message || String(e)));
  }
  for(const r of result.results || []) {
    if(r.error) {
      errors.push(...[].concat(r.error).map(e => e.message || String(e)));
    }
  }
  return {verified: result.verified, errors};
}
