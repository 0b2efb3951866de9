// A client that is not ours: @grpc/grpc-js with @grpc/proto-loader, loading the KServe V2 proto
// from the repository's api module, calling a running Verdict node the way any Triton/KServe user
// would. It runs the demo model "mlp" on a [2, 64] FP32 batch sent as raw_input_contents.
//
// Usage: node kserve-node-client.mjs <port> <kserve-proto-file>
// Prints one JSON document on stdout with what the node answered (gRPC errors included, as
// {error: {code, details}}); exits non-zero only when the client itself breaks.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const [port, protoFile] = process.argv.slice(2);
if (!port || !protoFile) {
  console.error('usage: node kserve-node-client.mjs <port> <kserve-proto-file>');
  process.exit(2);
}

const MODEL = 'mlp';
const BATCH = 2;
const FEATURES = 64;

const definition = protoLoader.loadSync(protoFile, {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const inference = grpc.loadPackageDefinition(definition).inference;
const client = new inference.GRPCInferenceService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

function call(method, request) {
  return new Promise((resolve) => {
    client[method](request, { deadline: Date.now() + 30_000 }, (error, response) => {
      resolve(error ? { error: { code: error.code, details: error.details } } : { response });
    });
  });
}

// Deterministic inputs in [0, 1), little-endian FP32 as the Open Inference Protocol's raw contents.
function inputBytes() {
  const buffer = Buffer.alloc(BATCH * FEATURES * 4);
  for (let i = 0; i < BATCH * FEATURES; i++) buffer.writeFloatLE(((i * 37) % 101) / 101, i * 4);
  return buffer;
}

function parameters(map) {
  const out = {};
  for (const [key, p] of Object.entries(map || {})) out[key] = p[p.parameter_choice];
  return out;
}

function summarizeInfer(result) {
  if (!result.response) return result;
  const r = result.response;
  return {
    model_name: r.model_name,
    model_version: r.model_version,
    id: r.id,
    outputs: r.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape.map(Number) })),
    raw_output_hex: r.raw_output_contents.map((b) => Buffer.from(b).toString('hex')),
    parameters: parameters(r.parameters),
  };
}

function summarizeMetadata(result) {
  if (!result.response) return result;
  const tensor = (t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) });
  const r = result.response;
  return {
    name: r.name, versions: r.versions, platform: r.platform,
    inputs: r.inputs.map(tensor), outputs: r.outputs.map(tensor),
  };
}

try {
  const input = inputBytes();
  const live = await call('ServerLive', {});
  const ready = await call('ServerReady', {});
  const modelReady = await call('ModelReady', { name: MODEL, version: '' });
  const unknownReady = await call('ModelReady', { name: 'no-such-model', version: '' });
  const metadata = await call('ModelMetadata', { name: MODEL, version: '' });
  const infer = await call('ModelInfer', {
    model_name: MODEL,
    model_version: '',
    id: 'grpc-js-1',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [BATCH, FEATURES] }],
    raw_input_contents: [input],
  });
  const badShape = await call('ModelInfer', {
    model_name: MODEL,
    id: 'grpc-js-2',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [BATCH, FEATURES + 1] }],
    raw_input_contents: [Buffer.alloc(BATCH * (FEATURES + 1) * 4)],
  });
  const result = {
    live: live.response ? live.response.live : live,
    ready: ready.response ? ready.response.ready : ready,
    model_ready: modelReady.response ? modelReady.response.ready : modelReady,
    unknown_model_ready: unknownReady.response ? unknownReady.response.ready : unknownReady,
    metadata: summarizeMetadata(metadata),
    input_hex: input.toString('hex'),
    infer: summarizeInfer(infer),
    bad_shape: badShape,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exitCode = 1;
} finally {
  client.close();
}
