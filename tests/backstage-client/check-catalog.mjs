// Reads the portal's /api/catalog with Backstage's own client and checks every entity with
// Backstage's own validators. Run by tests/test_backstage_client.py:
//
//     node check-catalog.mjs BASE_URL [TOKEN]
//
// and prints one JSON object of what it read; the Python test compares it with the catalog.
import { CatalogClient } from '@backstage/catalog-client';
import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  entitySchemaValidator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { createRequire } from 'node:module';

// The MCP server API kind (Backstage's own example catalog has one) is in the alpha entry
// point, whose ES module build does not load under Node: its CommonJS build does.
const { mcpServerApiEntityValidator } = createRequire(import.meta.url)(
  '@backstage/catalog-model/alpha');

const [baseUrl, token] = process.argv.slice(2);
const catalog = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `${baseUrl}/api/catalog` },
  fetchApi: { fetch },
});
const options = token ? { token } : undefined;
const PAGE = 7;

// The checks Backstage's catalog runs on every descriptor it ingests (before it adds relations).
const policies = EntityPolicies.allOf([
  new SchemaValidEntityPolicy(),
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
]);
const validateSchema = entitySchemaValidator();
const kindValidators = [
  apiEntityV1alpha1Validator, componentEntityV1alpha1Validator, domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator, locationEntityV1alpha1Validator, resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator, userEntityV1alpha1Validator,
];
const validatorsOf = entity => (entity.kind === 'API' && entity.spec?.type === 'mcp-server'
  ? [mcpServerApiEntityValidator] : kindValidators);

async function problemsOf(entity) {
  const problems = [];
  const { relations, ...descriptor } = entity;
  try {
    await policies.enforce(structuredClone(descriptor));
    validateSchema(entity);
  } catch (error) {
    problems.push(String(error.message ?? error));
  }
  let known = false;
  for (const validator of validatorsOf(entity)) {
    try {
      known = (await validator.check(entity)) || known;
    } catch (error) {
      problems.push(String(error.message ?? error));
    }
  }
  if (!known) problems.push(`no validator of kind ${entity.kind} accepts it`);
  return problems;
}

async function failure(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return { name: error.name, status: error.response?.status ?? null,
             cause: error.cause?.name ?? null, message: error.cause?.message ?? error.message };
  }
}

const result = {};

// Every entity, each valid under catalog-model's validators.
const { items: all } = await catalog.getEntities({}, options);
result.count = all.length;
result.invalid = {};
for (const entity of all) {
  const problems = await problemsOf(entity);
  if (problems.length) result.invalid[stringifyEntityRef(entity)] = problems;
}
result.uids = Object.fromEntries(all.map(e => [stringifyEntityRef(e), e.metadata.uid]));
result.etags = Object.fromEntries(all.map(e => [stringifyEntityRef(e), e.metadata.etag]));

// Every kind, counted by facet and listed by filter.
const { facets: kindFacets } = await catalog.getEntityFacets({ facets: ['kind'] }, options);
result.kinds = {};
for (const { value, count } of kindFacets.kind) {
  const { items } = await catalog.getEntities({ filter: { kind: value }, fields: ['kind'] }, options);
  result.kinds[value] = { facet: count, listed: items.length };
}

// By ref, and by refs with a missing one.
const sample = all.find(e => e.kind === 'Component');
const sampleRef = stringifyEntityRef(sample);
result.byRef = (await catalog.getEntityByRef(sampleRef, options))?.metadata.uid === sample.metadata.uid;
result.missingByRef = (await catalog.getEntityByRef('component:default/no-such-entity', options)) ?? null;
const refs = [sampleRef, 'component:default/no-such-entity', stringifyEntityRef(all[all.length - 1])];
const { items: byRefs } = await catalog.getEntitiesByRefs({ entityRefs: refs }, options);
result.byRefs = byRefs.map(e => (e ? stringifyEntityRef(e) : null));
result.byRefsAsked = refs;

// Paging by cursor through all components, by name, then one page back.
const pages = [];
let response = await catalog.queryEntities({
  filter: { kind: 'Component' }, orderFields: { field: 'metadata.name', order: 'asc' },
  limit: PAGE, fields: ['metadata.name'],
}, options);
result.totalItems = response.totalItems;
pages.push(response.items.map(e => e.metadata.name));
while (response.pageInfo.nextCursor) {
  response = await catalog.queryEntities({ cursor: response.pageInfo.nextCursor, limit: PAGE,
                                           fields: ['metadata.name'] }, options);
  pages.push(response.items.map(e => e.metadata.name));
}
result.pages = pages;
if (pages.length > 2) {
  const first = await catalog.queryEntities({
    filter: { kind: 'Component' }, orderFields: { field: 'metadata.name', order: 'asc' },
    limit: PAGE, fields: ['metadata.name'],
  }, options);
  const second = await catalog.queryEntities({ cursor: first.pageInfo.nextCursor, limit: PAGE,
                                               fields: ['metadata.name'] }, options);
  const back = await catalog.queryEntities({ cursor: second.pageInfo.prevCursor, limit: PAGE,
                                             fields: ['metadata.name'] }, options);
  result.backToFirst = back.items.map(e => e.metadata.name);
  result.firstHasPrev = Boolean(first.pageInfo.prevCursor);
}
// streamEntities pages with the same cursors, 500 at a time.
let streamed = 0;
for await (const page of catalog.streamEntities({ filter: { kind: 'Component' } }, options)) {
  streamed += page.length;
}
result.streamed = streamed;

// Full text, over the name and the title of components.
const term = process.env.FULL_TEXT_TERM;
const { items: found } = await catalog.queryEntities({
  filter: { kind: 'Component' }, fullTextFilter: { term, fields: ['metadata.name', 'metadata.title'] },
  limit: 1000,
}, options);
result.fullText = found.map(e => e.metadata.name).sort();

// Owner facets of components.
const { facets } = await catalog.getEntityFacets({ facets: ['spec.owner'], filter: { kind: 'Component' } }, options);
result.ownerFacets = Object.fromEntries(facets['spec.owner'].map(({ value, count }) => [value, count]));

// The relations of the biggest hub: the entity most others depend on.
const withRelations = await catalog.getEntities({ fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'] }, options);
const hub = withRelations.items
  .map(e => ({ ref: stringifyEntityRef(e), dependents: e.relations.filter(r => r.type === 'dependencyOf').length }))
  .sort((a, b) => b.dependents - a.dependents || a.ref.localeCompare(b.ref))[0];
const hubEntity = await catalog.getEntityByRef(hub.ref, options);
result.hub = hub.ref;
result.hubRelations = {};
for (const { type, targetRef } of hubEntity.relations) {
  (result.hubRelations[type] ??= []).push(targetRef);
}

// A bad filter and a bad cursor: Backstage's InputError, with the message.
result.badFilter = await failure(() => catalog.getEntities({ filter: { '': 'x' } }, options));
result.badCursor = await failure(() => catalog.queryEntities({ cursor: 'bm90IGEgY3Vyc29y' }, options));
// The catalog is read-only.
result.refresh = await failure(() => catalog.refreshEntity(sampleRef, options));
result.removeEntity = await failure(() => catalog.removeEntityByUid(sample.metadata.uid, options));

process.stdout.write(JSON.stringify(result));
