#!/usr/bin/env node
// deploy_policy_checks: policy on the rendered manifests (every kustomization of deploy/k8s).
//
// Every workload (Deployment, StatefulSet, DaemonSet, Job, CronJob):
//   non-root (runAsNonRoot, no uid 0), read-only root filesystem, no privilege escalation,
//   all capabilities dropped, seccomp RuntimeDefault, CPU and memory requests and limits,
//   readiness and liveness probes, an image with a tag or digest that is not "latest",
//   no credential-looking environment variable with a literal value.
// ConfigMaps: no key or value that looks like a password, token or key. No Secret objects at all
// (credentials are created in the cluster, never committed).
// Concerto services (label app.kubernetes.io/component=service) in each overlay: native gRPC
// probes on the port config.yaml says, metrics annotations on the metrics port, a /tmp emptyDir,
// terminationGracePeriodSeconds >= 45, a Service, a PodDisruptionBudget and an autoscaling/v2
// HPA with maxReplicas <= shards; a default-deny NetworkPolicy.
// Kafka: the KafkaTopics are exactly deploy/local/stack/topics.txt, partitions = shards,
// replicas 3, min.insync.replicas 2.
//
//   node policy.js RENDER_DIR TOPICS_TXT      (DEPS = directory holding node_modules)
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const req = createRequire(path.join(process.env.DEPS || ".", "package.json"));
const YAML = req("yaml");

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
const SENSITIVE_KEY = /(pass(word|wd|phrase)?|secret|token|api[-_.]?key|private[-_.]?key|credential|master[-_.]?key|sasl[-_.]?password|requirepass|masterauth)/i;
const SENSITIVE_VALUE = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\b(eyJ[A-Za-z0-9_-]{10,}\.){2}[A-Za-z0-9_-]{10,}/, "a JWT"],
  [/^(?!\s*#)\s*(requirepass|masterauth|password|passwd|secret|token|api[-_.]?key|sasl[-_.]password|master[-_.]?key)\s*[:=]?\s+\S+/im,
   "a credential assignment"],
];

const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

function loadRender(file) {
  return YAML.parseAllDocuments(fs.readFileSync(file, "utf8"))
    .map((d) => d.toJS())
    .filter((o) => o && typeof o === "object");
}

function podOf(obj) {
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template;
  return obj.spec?.template;
}

function imageTagOk(image) {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return false; // no tag: implicitly latest
  const tag = lastSegment.slice(colon + 1);
  return tag !== "" && tag !== "latest";
}

function checkWorkload(where, obj) {
  const tpl = podOf(obj);
  const pod = tpl?.spec;
  if (!pod) return problem(where, "no pod template");
  const psc = pod.securityContext || {};
  const all = [
    ...(pod.initContainers || []).map((c) => [c, true]),
    ...(pod.containers || []).map((c) => [c, false]),
  ];
  if (psc.runAsUser === 0) problem(where, "pod runs as uid 0");
  for (const [c, init] of all) {
    const w = `${where} container ${c.name}`;
    const sc = c.securityContext || {};
    const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    const uid = sc.runAsUser ?? psc.runAsUser;
    if (nonRoot !== true) problem(w, "runAsNonRoot is not true");
    if (uid === 0) problem(w, "runs as uid 0");
    if (sc.readOnlyRootFilesystem !== true) problem(w, "readOnlyRootFilesystem is not true");
    if (sc.allowPrivilegeEscalation !== false) problem(w, "allowPrivilegeEscalation is not false");
    if (sc.privileged === true) problem(w, "privileged");
    if (!(sc.capabilities?.drop || []).includes("ALL")) problem(w, "capabilities.drop lacks ALL");
    if ((sc.capabilities?.add || []).length) problem(w, `adds capabilities ${sc.capabilities.add}`);
    const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      problem(w, "seccompProfile is not RuntimeDefault");
    }
    for (const kind of ["requests", "limits"]) {
      for (const res of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[res] === undefined) problem(w, `resources.${kind}.${res} not set`);
      }
    }
    if (!init) {
      if (!c.readinessProbe) problem(w, "no readinessProbe");
      if (!c.livenessProbe) problem(w, "no livenessProbe");
    }
    if (typeof c.image !== "string" || !imageTagOk(c.image)) {
      problem(w, `image "${c.image}" has no tag or digest, or is "latest"`);
    }
    for (const e of c.env || []) {
      if (SENSITIVE_KEY.test(e.name) && e.value !== undefined) {
        problem(w, `env ${e.name} has a literal value: take it from a Secret (secretKeyRef)`);
      }
      if (e.valueFrom?.configMapKeyRef && SENSITIVE_KEY.test(e.name)) {
        problem(w, `env ${e.name} comes from a ConfigMap: credentials belong in a Secret`);
      }
    }
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problem(where, "uses host namespaces");
  for (const v of pod.volumes || []) {
    if (v.hostPath) problem(where, `hostPath volume ${v.name}`);
  }
}

function checkConfigMap(where, obj) {
  for (const [key, value] of Object.entries({ ...(obj.data || {}), ...(obj.binaryData || {}) })) {
    if (SENSITIVE_KEY.test(key)) problem(where, `key "${key}" looks like a credential`);
    const text = String(value);
    for (const [re, what] of SENSITIVE_VALUE) {
      if (re.test(text)) problem(where, `key "${key}" contains ${what}`);
    }
    // YAML payloads: a sensitive key with a non-empty scalar value anywhere in the tree.
    if (/\.ya?ml$/.test(key)) {
      let parsed;
      try {
        parsed = YAML.parse(text);
      } catch (e) {
        problem(where, `key "${key}" is not valid YAML: ${e.message}`);
        continue;
      }
      const walk = (node, trail) => {
        if (node && typeof node === "object") {
          for (const [k, v] of Object.entries(node)) {
            if (SENSITIVE_KEY.test(k) && v !== null && typeof v !== "object" && String(v) !== "") {
              problem(where, `${key}: ${[...trail, k].join(".")} holds a credential-like value`);
            }
            walk(v, [...trail, k]);
          }
        }
      };
      walk(parsed, []);
    }
  }
}

function byKind(objs, kind) {
  return objs.filter((o) => o.kind === kind);
}

function checkConcertoOverlay(name, objs) {
  const cms = byKind(objs, "ConfigMap").filter((c) => c.data?.["config.yaml"] !== undefined &&
    /^concerto-config(-[a-z0-9]+)?$/.test(c.metadata.name));
  if (cms.length !== 1) {
    problem(name, `expected one concerto-config ConfigMap, found ${cms.length}`);
    return null;
  }
  const config = YAML.parse(cms[0].data["config.yaml"]);
  const shards = Number(config.shards);
  const grpcPort = Number(config["grpc-port"]);
  const metricsPort = Number(config["metrics-port"]);
  if (!(shards >= 1)) problem(name, "config.yaml: shards is not set");
  if (config.clock !== undefined && config.clock !== "system") {
    problem(name, `config.yaml: clock is "${config.clock}"; production runs on the system clock`);
  }

  const services = byKind(objs, "Deployment")
    .filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "service");
  if (services.length === 0) problem(name, "no Concerto service Deployments");
  for (const d of services) {
    const svc = d.metadata.name;
    const where = `${name} Deployment/${svc}`;
    const pod = d.spec.template.spec;
    const ann = d.spec.template.metadata?.annotations || {};
    const c = pod.containers[0];
    const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
    if (ports.grpc !== grpcPort) problem(where, `container port grpc ${ports.grpc} != config grpc-port ${grpcPort}`);
    if (ports.metrics !== metricsPort) problem(where, `container port metrics ${ports.metrics} != config metrics-port ${metricsPort}`);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      if (c[probe] && c[probe].grpc?.port !== grpcPort) {
        problem(where, `${probe} is not a native gRPC probe on port ${grpcPort}`);
      }
    }
    if (!c.readinessProbe?.grpc || !c.livenessProbe?.grpc) problem(where, "readiness/liveness must use the gRPC health service");
    if (ann["prometheus.io/scrape"] !== "true" || Number(ann["prometheus.io/port"]) !== metricsPort) {
      problem(where, `prometheus.io annotations missing or not on port ${metricsPort}`);
    }
    if (!(pod.terminationGracePeriodSeconds >= 45)) {
      problem(where, "terminationGracePeriodSeconds < 45 (drain: intake stop, outbox <= 10 s, producer flush <= 10 s, gRPC 5 s)");
    }
    const tmp = (c.volumeMounts || []).find((m) => m.mountPath === "/tmp");
    const tmpVol = tmp && (pod.volumes || []).find((v) => v.name === tmp.name);
    if (!tmpVol?.emptyDir) problem(where, "no emptyDir mounted at /tmp");
    if (!(c.args || []).some((a) => a.startsWith("--config="))) problem(where, "no --config argument");

    const service = objs.find((o) => o.kind === "Service" && o.metadata.name === svc);
    if (!service) problem(where, "no Service");
    else {
      const sp = Object.fromEntries(service.spec.ports.map((p) => [p.name, p.port]));
      if (sp.grpc !== grpcPort || sp.metrics !== metricsPort) problem(`${name} Service/${svc}`, "ports grpc/metrics do not match the config");
    }
    const pdb = objs.find((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === svc);
    if (!pdb) problem(where, "no PodDisruptionBudget");
    const hpa = objs.find((o) => o.kind === "HorizontalPodAutoscaler" && o.metadata.name === svc);
    if (!hpa) problem(where, "no HorizontalPodAutoscaler");
    else {
      if (hpa.apiVersion !== "autoscaling/v2") problem(`${name} HPA/${svc}`, "not autoscaling/v2");
      if (hpa.spec.scaleTargetRef?.name !== svc) problem(`${name} HPA/${svc}`, "targets another Deployment");
      if (hpa.spec.maxReplicas > shards) {
        problem(`${name} HPA/${svc}`, `maxReplicas ${hpa.spec.maxReplicas} > shards ${shards}: a partition has one owner`);
      }
      if ((hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) problem(`${name} HPA/${svc}`, "minReplicas > maxReplicas");
    }
  }
  const denyAll = byKind(objs, "NetworkPolicy").some((np) =>
    Object.keys(np.spec.podSelector || {}).length === 0 &&
    (np.spec.policyTypes || []).includes("Ingress") && (np.spec.policyTypes || []).includes("Egress") &&
    !np.spec.ingress && !np.spec.egress);
  if (!denyAll) problem(name, "no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)");
  return shards;
}

function checkTopics(name, objs, topicsTxt, shards) {
  const want = new Map();
  for (const line of fs.readFileSync(topicsTxt, "utf8").split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#")) continue;
    const [topic, partitions] = t.split(/\s+/);
    want.set(topic, Number(partitions));
  }
  const topics = byKind(objs, "KafkaTopic");
  const have = new Map(topics.map((t) => [t.spec.topicName || t.metadata.name, t]));
  for (const [topic, partitions] of want) {
    const t = have.get(topic);
    if (!t) { problem(name, `topic ${topic} of topics.txt has no KafkaTopic`); continue; }
    const where = `${name} KafkaTopic/${t.metadata.name}`;
    if (t.spec.partitions !== partitions) problem(where, `partitions ${t.spec.partitions} != topics.txt ${partitions}`);
    if (shards && t.spec.partitions !== shards) problem(where, `partitions ${t.spec.partitions} != shards ${shards}`);
    if (t.spec.replicas !== 3) problem(where, `replicas ${t.spec.replicas} != 3`);
    if (Number(t.spec.config?.["min.insync.replicas"]) !== 2) problem(where, "min.insync.replicas != 2");
    if (t.spec.config?.["retention.ms"] === undefined) problem(where, "no retention.ms");
  }
  for (const topic of have.keys()) {
    if (!want.has(topic)) problem(name, `KafkaTopic ${topic} is not in topics.txt`);
  }
}

function checkAll(renders, topicsTxt) {
  let shards = null;
  for (const [name, objs] of Object.entries(renders)) {
    for (const o of objs) {
      const where = `${name} ${o.kind}/${o.metadata?.name}`;
      if (WORKLOADS.has(o.kind)) checkWorkload(where, o);
      if (o.kind === "ConfigMap") checkConfigMap(where, o);
      if (o.kind === "Secret") problem(where, "a Secret in the manifests: create credentials in the cluster, never commit them");
    }
    if (name.startsWith("overlays-")) {
      const s = checkConcertoOverlay(name, objs);
      if (shards === null) shards = s;
      else if (s !== shards) problem(name, `shards ${s} differs from another overlay's ${shards}`);
    }
  }
  if (renders.kafka) checkTopics("kafka", renders.kafka, topicsTxt, shards);
  else problem("kafka", "no render of deploy/k8s/kafka");
}

// A known-bad manifest must produce problems; otherwise the rules are not being applied.
function selfTest() {
  const bad = {
    "overlays-selftest": [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "concerto-config" },
        data: { "config.yaml": "shards: 8\ngrpc-port: 50051\nmetrics-port: 9090\nredis-password: hunter2\n" } },
      { apiVersion: "apps/v1", kind: "Deployment",
        metadata: { name: "x", labels: { "app.kubernetes.io/component": "service" } },
        spec: { template: { spec: { containers: [{ name: "x", image: "concerto:latest",
          env: [{ name: "CONCERTO_KAFKA_SASL_PASSWORD", value: "s3cret" }] }] } } } },
    ],
  };
  const before = problems.length;
  const fakeTopics = path.join(require("os").tmpdir(), `concerto-policy-selftest-${process.pid}.txt`);
  fs.writeFileSync(fakeTopics, "t 8\n");
  try {
    checkAll({ ...bad, kafka: [] }, fakeTopics);
  } finally {
    fs.unlinkSync(fakeTopics);
  }
  const found = problems.splice(before);
  const expect = ["readOnlyRootFilesystem", "runAsNonRoot", "resources.limits.cpu", "readinessProbe",
    "latest", "literal value", "credential-like", "HorizontalPodAutoscaler", "default-deny", "has no KafkaTopic"];
  const missed = expect.filter((e) => !found.some((p) => p.includes(e)));
  if (missed.length) {
    console.error(`policy.js: self-test failed: rules not applied: ${missed.join(", ")}`);
    process.exit(1);
  }
}

function main() {
  const [dir, topicsTxt] = process.argv.slice(2);
  if (!dir || !topicsTxt) {
    console.error("usage: policy.js RENDER_DIR TOPICS_TXT");
    process.exit(2);
  }
  selfTest();
  const renders = {};
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    renders[f.replace(/\.yaml$/, "")] = loadRender(path.join(dir, f));
  }
  checkAll(renders, topicsTxt);
  const count = Object.values(renders).reduce((n, o) => n + o.length, 0);
  if (problems.length) {
    for (const p of problems) console.error(`FAIL ${p}`);
    console.error(`${problems.length} policy violation(s) in ${count} objects`);
    process.exit(1);
  }
  console.error(`OK: ${count} objects in ${Object.keys(renders).length} renders pass the policy`);
}

main();
