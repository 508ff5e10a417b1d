// Digital Bazaar's Bitstring Status List library driven over stdin/stdout, for
// bench/status_list_bench.py (timings) and tests/test_status_interop.py (interop).
//
//   node status.mjs encode   stdin {"length", "indices"}    -> stdout encodedList
//   node status.mjs decode   stdin encodedList               -> stdout {"length", "indices"}
//   node status.mjs bench    stdin {"length", "indices", "iterations"}
//                            -> stdout {"create_ms", "encode_ms", "decode_ms", "check_ms", "encoded"}
//                               (each a list of per-iteration milliseconds)
import {checkStatus, createList, decodeList} from '@digitalbazaar/vc-bitstring-status-list';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function build({length, indices}) {
  const list = await createList({length});
  for(const index of indices) {
    list.setStatus(index, true);
  }
  return list;
}

function setIndices(list) {
  const indices = [];
  const bytes = list.bitstring.bits;
  for(let byte = 0; byte < bytes.length; ++byte) {
    if(bytes[byte] === 0) {
      continue;
    }
    for(let bit = 0; bit < 8; ++bit) {
      if(bytes[byte] & (0x80 >> bit)) {
        indices.push(byte * 8 + bit);
      }
    }
  }
  return indices;
}

async function time(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, value];
}

async function bench({length, indices, iterations}) {
  const result = {create_ms: [], encode_ms: [], decode_ms: [], check_ms: []};
  let encoded;
  // warm-up rounds let V8 optimise before anything is recorded
  for(let round = -3; round < iterations; ++round) {
    const [createMs, list] = await time(() => build({length, indices}));
    const [encodeMs, text] = await time(() => list.encode());
    const [decodeMs] = await time(() => decodeList({encodedList: text}));
    if(round >= 0) {
      result.create_ms.push(createMs);
      result.encode_ms.push(encodeMs);
      result.decode_ms.push(decodeMs);
    }
    encoded = text;
  }
  // checkStatus without proof verification: fetch (in memory) + decode + read, each call
  const url = 'https://example.com/status/1';
  const slc = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: 'did:example:12345',
    validFrom: '2025-01-01T00:00:00Z',
    credentialSubject: {
      id: `${url}#list`, type: 'BitstringStatusList',
      statusPurpose: 'revocation', encodedList: encoded
    }
  };
  const credential = {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    issuer: 'did:example:12345',
    credentialStatus: {
      id: `${url}#${indices[0]}`, type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation', statusListIndex: String(indices[0]),
      statusListCredential: url
    },
    credentialSubject: {id: 'did:example:6789'}
  };
  const documentLoader = async () => ({document: slc});
  for(let round = -3; round < iterations; ++round) {
    const [checkMs, outcome] = await time(() => checkStatus({
      credential, documentLoader, verifyBitstringStatusListCredential: false
    }));
    if(!outcome.verified || outcome.results[0].status !== true) {
      throw new Error(`checkStatus failed: ${JSON.stringify(outcome)}`);
    }
    if(round >= 0) {
      result.check_ms.push(checkMs);
    }
  }
  result.encoded = encoded;
  return result;
}

const mode = process.argv[2];
const input = await readStdin();
if(mode === 'encode') {
  const list = await build(JSON.parse(input));
  process.stdout.write(await list.encode());
} else if(mode === 'decode') {
  const list = await decodeList({encodedList: input.trim()});
  process.stdout.write(JSON.stringify({length: list.length, indices: setIndices(list)}));
} else if(mode === 'bench') {
  process.stdout.write(JSON.stringify(await bench(JSON.parse(input))));
} else {
  process.stderr.write('usage: node status.mjs encode|decode|bench < input\n');
  process.exit(2);
}
