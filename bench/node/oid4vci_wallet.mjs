// A wallet that claims a credential through OpenID4VCI 1.0's pre-authorized code flow,
// built on the OpenWallet Foundation's client (@openid4vc/openid4vci, oid4vc-ts): it
// resolves the credential offer and the issuer's metadata, redeems the pre-authorized
// code at the token endpoint, fetches a c_nonce and sends a `jwt` key proof made by its
// own key (node:crypto). Along the way it can try what a careless or hostile wallet does,
// reporting what the issuer answered each time.
//
//   node oid4vci_wallet.mjs claim OFFER_URI [options]
//     --alg EdDSA|ES256      the holder key (default EdDSA)
//     --by did|jwk           the proof names the key by did:key kid (default) or by jwk
//     --tx-code CODE         the transaction code sent with the token request
//     --wrong-tx-code CODE   first try this code (expected: invalid_grant)
//     --wrong-key            first send a proof signed by another key (invalid_proof)
//     --stale-nonce-wait MS  first send a proof over a nonce fetched MS ms before (invalid_nonce)
//     --reuse                afterwards redeem the same code again (invalid_grant)
//   -> {"holder", "configuration", "steps": [{"step", "ok", "error"?, "status"?}],
//       "credential"?}
import {createHash, generateKeyPairSync, randomBytes, sign}
  from 'node:crypto';
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import {setGlobalConfig} from '@openid4vc/utils';

// The issuer under test listens on http://127.0.0.1; the library otherwise takes https only.
setGlobalConfig({allowInsecureUrls: true});

const MULTICODEC = {EdDSA: Buffer.from([0xed, 0x01]), ES256: Buffer.from([0x80, 0x24])};
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function parseArgs(argv) {
  const [command, offer, ...rest] = argv;
  const options = {alg: 'EdDSA', by: 'did', txCode: undefined, wrongTxCode: undefined,
    wrongKey: false, staleNonceWait: 0, reuse: false};
  for(let i = 0; i < rest.length; ++i) {
    const arg = rest[i];
    if(arg === '--alg') options.alg = rest[++i];
    else if(arg === '--by') options.by = rest[++i];
    else if(arg === '--tx-code') options.txCode = rest[++i];
    else if(arg === '--wrong-tx-code') options.wrongTxCode = rest[++i];
    else if(arg === '--wrong-key') options.wrongKey = true;
    else if(arg === '--stale-nonce-wait') options.staleNonceWait = Number(rest[++i]);
    else if(arg === '--reuse') options.reuse = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return {command, offer, options};
}

function base58btc(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while(n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for(const byte of bytes) {
    if(byte !== 0) break;
    out = '1' + out;
  }
  return out;
}

// A holder key: its private key (node:crypto), public JWK and did:key.
function holderKey(alg) {
  const {privateKey, publicKey} = alg === 'ES256' ?
    generateKeyPairSync('ec', {namedCurve: 'P-256'}) :
    generateKeyPairSync('ed25519');
  const jwk = publicKey.export({format: 'jwk'});
  const raw = alg === 'ES256' ?
    publicKey.export({format: 'der', type: 'spki'}).subarray(-65) :
    Buffer.from(jwk.x, 'base64url');
  const compressed = alg === 'ES256' ?
    Buffer.concat([Buffer.from([2 + (raw[64] & 1)]), raw.subarray(1, 33)]) : raw;
  const multibase = 'z' + base58btc(Buffer.concat([MULTICODEC[alg], compressed]));
  const did = `did:key:${multibase}`;
  return {privateKey, publicJwk: jwk, did, didUrl: `${did}#${multibase}`, alg};
}

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    .toString('base64url');
}

// The library's signJwt callback: signs with `key`, whatever the header names (so a
// test can make a proof by the wrong key).
function signerCallback(state) {
  return async (jwtSigner, {header, payload}) => {
    const key = state.signWith;
    const input = `${b64url(header)}.${b64url(payload)}`;
    const signature = key.alg === 'ES256' ?
      sign('sha256', Buffer.from(input), {key: key.privateKey, dsaEncoding: 'ieee-p1363'}) :
      sign(null, Buffer.from(input), key.privateKey);
    return {jwt: `${input}.${signature.toString('base64url')}`, signerJwk: key.publicJwk};
  };
}

function errorOf(error) {
  const body = error.errorResponse ??
    error.response?.credentialErrorResponseResult?.data ?? null;
  const status = error.response?.status ?? error.response?.response?.status ?? null;
  return {error: body?.error ?? String(error.message).split('\n')[0], status};
}

async function attempt(steps, step, work) {
  try {
    const value = await work();
    steps.push({step, ok: true});
    return value;
  } catch(error) {
    steps.push({step, ok: false, ...errorOf(error)});
    return undefined;
  }
}

async function claim(offerUri, options) {
  const holder = holderKey(options.alg);
  const state = {signWith: holder};
  const client = new Openid4vciClient({callbacks: {
    fetch,
    hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    generateRandom: n => randomBytes(n),
    signJwt: signerCallback(state),
    clientAuthentication: clientAuthenticationAnonymous(),
  }});
  const steps = [];
  const credentialOffer = await client.resolveCredentialOffer(offerUri);
  const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const [configuration] = credentialOffer.credential_configuration_ids;
  const redeem = txCode => client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer, issuerMetadata, txCode});
  if(options.wrongTxCode) await attempt(steps, 'wrong tx_code', () => redeem(options.wrongTxCode));
  const token = await attempt(steps, 'token', () => redeem(options.txCode));
  if(!token) return {holder: holder.did, steps};
  const accessToken = token.accessTokenResponse.access_token;
  const signer = options.by === 'jwk' ?
    {method: 'jwk', publicJwk: holder.publicJwk, alg: holder.alg} :
    {method: 'did', didUrl: holder.didUrl, alg: holder.alg};
  const request = async nonce => {
    const {jwt} = await client.createCredentialRequestJwtProof({
      issuerMetadata, credentialConfigurationId: configuration, signer, nonce});
    return client.retrieveCredentials({issuerMetadata, accessToken,
      credentialConfigurationId: configuration, proofs: {jwt: [jwt]}});
  };
  const freshNonce = async () => (await client.requestNonce({issuerMetadata})).c_nonce;
  if(options.wrongKey) {
    state.signWith = holderKey(options.alg);
    await attempt(steps, 'proof by another key', async () => request(await freshNonce()));
    state.signWith = holder;
  }
  if(options.staleNonceWait) {
    const stale = await freshNonce();
    await new Promise(resolve => setTimeout(resolve, options.staleNonceWait));
    await attempt(steps, 'stale nonce', () => request(stale));
  }
  const answer = await attempt(steps, 'credential', async () => request(await freshNonce()));
  if(options.reuse) await attempt(steps, 'code again', () => redeem(options.txCode));
  const credential = answer?.credentialResponse?.credentials?.[0]?.credential;
  return {holder: holder.did, configuration, steps, credential};
}

const {command, offer, options} = parseArgs(process.argv.slice(2));
if(command !== 'claim' || !offer) {
  console.error('usage: node oid4vci_wallet.mjs claim OFFER_URI [options]');
  process.exit(2);
}
console.log(JSON.stringify(await claim(offer, options)));
