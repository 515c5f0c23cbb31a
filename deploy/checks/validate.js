#!/usr/bin/env node
// deploy_manifests_validate_against_schemas: every object of the rendered manifests validates
// against the Kubernetes 1.33 OpenAPI schemas bundled (precompiled, offline) in the pinned npm
// package kubernetes-models@4.5.1, and Strimzi KafkaTopics against schemas/*.json (ajv).
// On top of the schemas, what the API server would reject and the OpenAPI document does not
// express: object names (DNS-1123 / RFC 1035), label keys and values, port names.
//
//   node validate.js RENDER.yaml...      (DEPS = directory holding node_modules)
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const deps = process.env.DEPS;
if (!deps) {
  console.error("validate.js: DEPS (the npm install directory) is not set");
  process.exit(2);
}
const req = createRequire(path.join(deps, "package.json"));
const YAML = req("yaml");
const Ajv = req("ajv");

const ajv = new Ajv({ allErrors: true, strict: false });
const crdSchemas = {}; // "group/version/Kind" -> compiled validator
const schemaDir = path.join(__dirname, "schemas");
for (const file of fs.readdirSync(schemaDir)) {
  const m = /^(.+)_(v[0-9a-z]+)_([A-Za-z]+)\.json$/.exec(file);
  if (!m) continue;
  crdSchemas[`${m[1]}/${m[2]}/${m[3]}`] = ajv.compile(
    JSON.parse(fs.readFileSync(path.join(schemaDir, file), "utf8")));
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// kubernetes-models keeps every historical API version (policy/v1beta1, autoscaling/v2beta2,
// extensions/v1beta1, ...). Only these are served by default by a Kubernetes 1.33 API server
// (GA versions; removed and beta versions are rejected).
const SERVED = new Set([
  "v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1",
  "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "storage.k8s.io/v1",
  "scheduling.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
  "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
  "certificates.k8s.io/v1", "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
  "node.k8s.io/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1",
]);
// Kinds whose names must be RFC 1035 / DNS-1123 labels rather than subdomains.
const LABEL_NAMED = { Service: RFC1035_LABEL, Namespace: DNS1123_LABEL };

function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const crd = crdSchemas[`${group}/${version}/${kind}`];
  if (crd) {
    return { validate(obj) {
      if (!crd(obj)) throw new Error(ajv.errorsText(crd.errors, { dataVar: "data" }));
    } };
  }
  if (!SERVED.has(apiVersion)) return null;
  let mod;
  try {
    mod = req(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
  } catch (e) {
    return null;
  }
  const Model = mod[kind];
  if (typeof Model !== "function") return null;
  return { validate(obj) { new Model(obj).validate(); } };
}

function checkLabels(where, labels, errors) {
  for (const [k, v] of Object.entries(labels || {})) {
    const slash = k.lastIndexOf("/");
    const prefix = slash >= 0 ? k.slice(0, slash) : "";
    const name = slash >= 0 ? k.slice(slash + 1) : k;
    if ((prefix && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) ||
        name.length > 63 || !LABEL_NAME.test(name)) {
      errors.push(`${where}: label key "${k}" is not a valid qualified name`);
    }
    if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) {
      errors.push(`${where}: label "${k}" has an invalid value ${JSON.stringify(v)}`);
    }
  }
}

function podSpecOf(obj) {
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

// Checks the API server makes that the OpenAPI schemas do not.
function apiServerRules(obj, errors) {
  const name = obj.metadata?.name;
  const id = `${obj.kind}/${name}`;
  if (typeof name !== "string" || name === "") {
    errors.push(`${id}: metadata.name is missing`);
    return;
  }
  const re = LABEL_NAMED[obj.kind] || DNS1123_SUBDOMAIN;
  const max = LABEL_NAMED[obj.kind] ? 63 : 253;
  if (name.length > max || !re.test(name)) errors.push(`${id}: invalid object name`);
  checkLabels(`${id} metadata.labels`, obj.metadata.labels, errors);
  checkLabels(`${id} spec.selector.matchLabels`, obj.spec?.selector?.matchLabels, errors);
  if (obj.kind === "Service") checkLabels(`${id} spec.selector`, obj.spec?.selector, errors);
  const pod = podSpecOf(obj);
  if (pod) {
    checkLabels(`${id} pod template labels`, obj.spec?.template?.metadata?.labels, errors);
    const sel = obj.spec?.selector?.matchLabels || {};
    const tpl = obj.spec?.template?.metadata?.labels || {};
    for (const [k, v] of Object.entries(sel)) {
      if (tpl[k] !== v) errors.push(`${id}: selector ${k}=${v} does not match the pod template`);
    }
    for (const c of [...(pod.containers || []), ...(pod.initContainers || [])]) {
      if (!DNS1123_LABEL.test(c.name || "")) errors.push(`${id}: container name "${c.name}"`);
      for (const p of c.ports || []) {
        if (p.name !== undefined &&
            (p.name.length > 15 || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name))) {
          errors.push(`${id}: container ${c.name} port name "${p.name}" is not an IANA_SVC_NAME`);
        }
      }
    }
  }
  if (obj.kind === "Service") {
    for (const p of obj.spec?.ports || []) {
      if (p.name !== undefined && (p.name.length > 63 || !DNS1123_LABEL.test(p.name))) {
        errors.push(`${id}: port name "${p.name}"`);
      }
    }
  }
}

function validateObject(obj) {
  const errors = [];
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
    return ["object without apiVersion/kind"];
  }
  const model = modelFor(obj.apiVersion, obj.kind);
  if (!model) {
    return [`${obj.apiVersion} ${obj.kind}: no schema (not a kind served by Kubernetes 1.33, no CRD schema in deploy/checks/schemas)`];
  }
  try {
    model.validate(obj);
  } catch (e) {
    errors.push(`${obj.kind}/${obj.metadata?.name}: ${e.message}`);
  }
  apiServerRules(obj, errors);
  return errors;
}

// The validator must reject what the API server rejects: if one of these passes, the check
// itself is broken (a wrong module path, a package without validation), so fail loudly.
function selfTest() {
  const bad = [
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
      spec: { replicas: "two", selector: { matchLabels: { a: "b" } },
        template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "Bad_Name" }, spec: { ports: [{ port: 1 }] } },
    { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h" },
      spec: { maxReplicas: 2 } },
    { apiVersion: "kafka.strimzi.io/v1beta2", kind: "KafkaTopic",
      metadata: { name: "t", labels: { "strimzi.io/cluster": "c" } }, spec: { partitions: "8" } },
    { apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", metadata: { name: "p" }, spec: {} },
  ];
  for (const obj of bad) {
    if (validateObject(obj).length === 0) {
      console.error(`validate.js: self-test failed: an invalid ${obj.kind} was accepted`);
      process.exit(1);
    }
  }
}

function main() {
  selfTest();
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: validate.js RENDER.yaml...");
    process.exit(2);
  }
  let total = 0;
  let failed = 0;
  for (const file of files) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
    let n = 0;
    for (const doc of docs) {
      if (doc.errors.length) {
        console.error(`FAIL ${path.basename(file)}: YAML: ${doc.errors[0].message}`);
        failed++;
        continue;
      }
      const obj = doc.toJS();
      if (obj === null || obj === undefined) continue;
      n++;
      for (const e of validateObject(obj)) {
        console.error(`FAIL ${path.basename(file)}: ${e}`);
        failed++;
      }
    }
    total += n;
    console.error(`${path.basename(file)}: ${n} objects`);
  }
  if (failed) {
    console.error(`${failed} problem(s) in ${total} objects`);
    process.exit(1);
  }
  console.error(`OK: ${total} objects valid (Kubernetes 1.33 schemas via kubernetes-models, CRD schemas of deploy/checks/schemas)`);
}

main();
