// A gRPC client that is not ours: @grpc/grpc-js with @grpc/proto-loader, loading the api
// module's .proto files from the source tree, as any Triton/KServe user would.
//
// Usage: node kserve-client.mjs <port> <proto-root> <reflection-proto-root>
// Prints one JSON document on stdout with what the server answered; exits non-zero only when
// the client itself breaks (gRPC errors that the test expects are reported in the JSON).

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const [port, protoRoot, reflectionRoot] = process.argv.slice(2);
if (!port || !protoRoot || !reflectionRoot) {
  console.error('usage: node kserve-client.mjs <port> <proto-root> <reflection-proto-root>');
  process.exit(2);
}
const target = `127.0.0.1:${port}`;
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const deadline = () => Date.now() + 10_000;

function load(root, file) {
  return grpc.loadPackageDefinition(protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs: [root] }));
}

function unary(client, method, request) {
  return new Promise((resolve) => {
    client[method](request, { deadline: deadline() }, (error, response) => {
      resolve(error ? { error: { code: error.code, details: error.details } } : { response });
    });
  });
}

function float32le(values) {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer;
}

function readFloat32le(buffer) {
  const values = [];
  for (let i = 0; i < buffer.length; i += 4) values.push(buffer.readFloatLE(i));
  return values;
}

async function kserve() {
  const inference = load(protoRoot, 'kserve/grpc_predict_v2.proto').inference;
  const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());
  try {
    const live = await unary(client, 'ServerLive', {});
    const ready = await unary(client, 'ServerReady', {});
    const infer = await unary(client, 'ModelInfer', {
      model_name: 'echo',
      id: 'node-request-1',
      parameters: { 'verdict.r': { int64_param: '3' } },
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 2] }],
      raw_input_contents: [float32le([1.5, -2, 3.25, 0])],
    });
    const unknownModel = await unary(client, 'ModelInfer', { model_name: 'no-such-model', id: 'node-request-2' });
    let inferSummary = infer;
    if (infer.response) {
      const r = infer.response;
      inferSummary = {
        id: r.id,
        model_name: r.model_name,
        outputs: r.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape.map(Number) })),
        raw_output_hex: r.raw_output_contents.map((b) => Buffer.from(b).toString('hex')),
        raw_output_values: r.raw_output_contents.map((b) => readFloat32le(Buffer.from(b))),
      };
    }
    return {
      live: live.response ? live.response.live : live,
      ready: ready.response ? ready.response.ready : ready,
      infer: inferSummary,
      unknown_model: unknownModel,
    };
  } finally {
    client.close();
  }
}

// Lists the services and fetches one file descriptor through gRPC server reflection (v1alpha),
// the way grpcurl explores a server.
async function reflection() {
  const reflectionPackage = load(reflectionRoot, 'grpc/reflection/v1alpha/reflection.proto');
  const Reflection = reflectionPackage.grpc.reflection.v1alpha.ServerReflection;
  const client = new Reflection(target, grpc.credentials.createInsecure());
  try {
    const answers = await new Promise((resolve, reject) => {
      const collected = [];
      const call = client.ServerReflectionInfo({ deadline: deadline() });
      call.on('data', (message) => collected.push(message));
      call.on('error', reject);
      call.on('end', () => resolve(collected));
      call.write({ host: '', list_services: '' });
      call.write({ host: '', file_containing_symbol: 'verdict.v1.VerdictService' });
      call.end();
    });
    const services = answers
      .filter((a) => a.list_services_response)
      .flatMap((a) => a.list_services_response.service.map((s) => s.name));
    const descriptorFiles = answers
      .filter((a) => a.file_descriptor_response)
      .map((a) => a.file_descriptor_response.file_descriptor_proto.length);
    const errors = answers.filter((a) => a.error_response).map((a) => a.error_response);
    return { services, descriptor_files: descriptorFiles, errors };
  } finally {
    client.close();
  }
}

try {
  const result = { kserve: await kserve(), reflection: await reflection() };
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (e) {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
}
