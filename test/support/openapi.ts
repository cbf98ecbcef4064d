/**
 * Reads docs/openapi.yaml and checks answers and routes against it. The description is what ZAP's API
 * scan attacks, so these checks keep the scan pointed at what the service really serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';

// A CommonJS package: its class is the module itself and, as Node's ES module import sees it, `.default`.
const Ajv2020 = Ajv2020Module.default;
import type { ValidateFunction } from 'ajv';
import type { Express } from 'express';
import { parse } from 'yaml';

export const OPENAPI_PATH = join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml');

type Json = Record<string, unknown>;

export interface OpenApiHeader {
  required?: boolean;
  schema: Json;
}
export interface OpenApiResponse {
  description: string;
  headers?: Record<string, OpenApiHeader>;
  content?: Record<string, { schema: Json }>;
}
export interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}
export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  responses: Record<string, OpenApiResponse | { $ref: string }>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation> & { parameters?: OpenApiParameter[] }>;
  components: {
    schemas: Record<string, Json>;
    headers: Record<string, OpenApiHeader>;
    responses: Record<string, OpenApiResponse>;
  };
}

export const HTTP_METHODS = ['get', 'head', 'options', 'post', 'put', 'patch', 'delete', 'trace'] as const;

export function loadOpenApi(text = readFileSync(OPENAPI_PATH, 'utf8')): OpenApiDocument {
  return parse(text) as OpenApiDocument;
}

/** A documented response, with a `$ref` to components/responses resolved. */
export function resolveResponse(doc: OpenApiDocument, response: OpenApiResponse | { $ref: string }) {
  if (!('$ref' in response)) return response;
  const name = response.$ref.replace('#/components/responses/', '');
  const resolved = doc.components.responses[name];
  if (!resolved) throw new Error(`unresolved ${response.$ref}`);
  return resolved;
}

/** Compiles one schema of the description; its `#/components/schemas/X` refs resolve to the same set. */
// Compiling a schema is the costly part (ajv generates code); the same schemas recur in every case.
const compiled = new WeakMap<OpenApiDocument, Map<string, ValidateFunction>>();

export function schemaValidator(doc: OpenApiDocument, schema: Json): ValidateFunction {
  const cache = compiled.get(doc) ?? new Map<string, ValidateFunction>();
  compiled.set(doc, cache);
  const key = JSON.stringify(schema);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const validate = compileSchema(doc, schema);
  cache.set(key, validate);
  return validate;
}

function compileSchema(doc: OpenApiDocument, schema: Json): ValidateFunction {
  // OpenAPI 3.1 schemas are JSON Schema 2020-12; refs are rewritten to $defs of a standalone schema.
  const rewrite = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  return ajv.compile({ ...rewrite(schema), $defs: rewrite(doc.components.schemas) });
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text; empty for HEAD, 204, and anything without a body. */
  text: string;
}

/**
 * Problems of one answer against one documented response: a status not documented, a body that fails
 * its schema (or a body where none is documented), a documented header missing or failing its schema.
 */
export function answerProblems(
  doc: OpenApiDocument,
  documented: OpenApiResponse | undefined,
  answer: Answer,
) {
  if (!documented) return [`status ${answer.status} is not documented for this operation`];
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) problems.push(`header ${name} is missing`);
      continue;
    }
    const validate = schemaValidator(doc, header.schema);
    if (!validate(value)) problems.push(`header ${name}: ${JSON.stringify(validate.errors)}`);
  }
  const media = Object.entries(documented.content ?? {});
  if (media.length === 0) {
    if (answer.text !== '') problems.push(`a body where none is documented: ${answer.text.slice(0, 80)}`);
    return problems;
  }
  const contentType = String(answer.headers['content-type'] ?? '');
  const match = media.find(([type]) => contentType.split(';')[0]?.trim() === type);
  if (!match) return [...problems, `content type ${contentType} is not documented`];
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return [...problems, `body is not JSON: ${answer.text.slice(0, 80)}`];
  }
  const validate = schemaValidator(doc, match[1].schema);
  if (!validate(body)) problems.push(`body: ${JSON.stringify(validate.errors)}`);
  return problems;
}

/** The segments of a path template: literal text, or `{name}` for a path parameter. */
function templateSegments(template: string): ({ literal: string } | { parameter: string })[] {
  return template
    .split('/')
    .map((segment) =>
      /^\{\w+\}$/.test(segment) ? { parameter: segment.slice(1, -1) } : { literal: segment },
    );
}

/**
 * The described path a request path falls under, as a server routes it: a literal path first, else
 * the template whose literal segments match (`/api/v1/orders/42` → `/api/v1/orders/{id}`), with the
 * values of its path parameters. `undefined` when no described path matches.
 */
export function describedPath(
  doc: OpenApiDocument,
  requestPath: string,
): { template: string; parameters: Record<string, string> } | undefined {
  const path = requestPath.split('?')[0] ?? '';
  if (doc.paths[path]) return { template: path, parameters: {} };
  const segments = path.split('/');
  for (const template of Object.keys(doc.paths)) {
    const pattern = templateSegments(template);
    if (pattern.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      if ('literal' in part) return part.literal === segment;
      if (segment === '') return false;
      parameters[part.parameter] = decodeURIComponent(segment);
      return true;
    });
    if (matches) return { template, parameters };
  }
  return undefined;
}

/**
 * What the description gets wrong about an operation's path parameters: each `{name}` of the template
 * must be declared `in: path`, required (OpenAPI 3.1 §4.8.12.1), and the value a request used must fit
 * its schema when the operation answered it as a match (a 2xx).
 */
export function pathParameterProblems(
  doc: OpenApiDocument,
  template: string,
  method: string,
  values: Record<string, string> = {},
  answered?: number,
): string[] {
  const item = doc.paths[template];
  const operation = item?.[method];
  if (!item || !operation) return [];
  const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter(
    (parameter) => parameter.in === 'path',
  );
  const problems: string[] = [];
  for (const part of templateSegments(template)) {
    if (!('parameter' in part)) continue;
    const parameter = declared.find((each) => each.name === part.parameter);
    if (!parameter || parameter.required !== true) {
      problems.push(
        `${method.toUpperCase()} ${template}: path parameter ${part.parameter} is not declared required`,
      );
      continue;
    }
    const value = values[part.parameter];
    if (value === undefined || parameter.schema === undefined || answered === undefined || answered >= 300)
      continue;
    const validate = schemaValidator(doc, parameter.schema);
    const typed =
      parameter.schema.type === 'integer' || parameter.schema.type === 'number' ? Number(value) : value;
    if (!validate(typed))
      problems.push(
        `${method.toUpperCase()} ${template}: ${part.parameter}=${value} answered ${answered} off its schema`,
      );
  }
  return problems;
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every (path, method) the Express app routes, read from its router; `_all` stands for `.all()`. */
export function servedRoutes(app: Express): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (stack: RouterLayer[] | undefined) => {
    for (const layer of stack ?? []) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        const methods = Object.keys(layer.route.methods).filter((method) => layer.route?.methods[method]);
        for (const path of paths) found.push({ path, methods });
      } else if (layer.handle?.stack) {
        // A mounted Router: its routes are served too.
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return found;
}

/** Express's `/a/:id` is OpenAPI's `/a/{id}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** Routes the app serves that the description does not list (path, or method on a listed path). */
export function undescribedRoutes(app: Express, doc: OpenApiDocument): string[] {
  const missing: string[] = [];
  for (const { path, methods } of servedRoutes(app)) {
    const described = doc.paths[toOpenApiPath(path)];
    if (!described) {
      missing.push(`${path} is served but not in docs/openapi.yaml`);
      continue;
    }
    for (const method of methods) {
      // `.all()` answers every method: the description must say what each of them gets.
      const required = method === '_all' ? ['get', 'post', 'put', 'patch', 'delete'] : [method];
      for (const each of required) {
        if (!described[each])
          missing.push(`${each.toUpperCase()} ${path} is served but not in docs/openapi.yaml`);
      }
    }
  }
  return missing;
}
