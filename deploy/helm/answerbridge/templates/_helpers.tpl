{{/* Names and labels. */}}

{{- define "answerbridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object names get a component suffix (up to "-sglang-reranker", 16 characters) and stay within 63. */}}
{{- define "answerbridge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 47 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 47 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "answerbridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; context: dict "root" $ "component" name. */}}
{{- define "answerbridge.labels" -}}
helm.sh/chart: {{ include "answerbridge.chart" .root }}
{{ include "answerbridge.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: answerbridge
{{- end }}

{{/* The labels a component's Services, PDBs and autoscalers select its pods by; never change them on upgrade. */}}
{{- define "answerbridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "answerbridge.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "answerbridge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "answerbridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "answerbridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "answerbridge.configMapName" -}}
{{- printf "%s-config" (include "answerbridge.fullname" .) }}
{{- end }}

{{- define "answerbridge.botsSecretName" -}}
{{- default (printf "%s-bots" (include "answerbridge.fullname" .)) .Values.bots.existingSecret }}
{{- end }}

{{- define "answerbridge.consoleUsersSecretName" -}}
{{- default (printf "%s-console-users" (include "answerbridge.fullname" .)) .Values.consoleUsers.existingSecret }}
{{- end }}

{{/* Values checks that a JSON schema cannot phrase clearly. Included once, by the ConfigMap every install renders. */}}
{{- define "answerbridge.validate" -}}
{{- $_ := required "milvus.address is required: host:port of the Milvus proxy (gRPC), e.g. milvus.milvus.svc:19530; deploy/helm/milvus-values.yaml installs one" .Values.milvus.address }}
{{- $redis := .Values.redis }}
{{- if and $redis.url $redis.sentinel.enabled }}
{{- fail "redis: give either redis.url (plain Redis) or redis.sentinel.enabled with redis.sentinel.hosts, not both" }}
{{- end }}
{{- if $redis.sentinel.enabled }}
{{- if not $redis.sentinel.hosts }}
{{- fail "redis.sentinel.hosts is required with redis.sentinel.enabled: the Sentinel nodes as host:port" }}
{{- end }}
{{- else }}
{{- $_ := required "redis.url is required (e.g. redis://redis-master.redis.svc:6379/0), or set redis.sentinel.enabled and redis.sentinel.hosts" $redis.url }}
{{- $u := urlParse $redis.url }}
{{- if not (has $u.scheme (list "redis" "rediss")) }}
{{- fail (printf "redis.url must start with redis:// or rediss://, got %q" $redis.url) }}
{{- end }}
{{- if $u.userinfo }}
{{- fail "redis.url must not contain credentials: put the password in the Secret named by redis.existingSecret (key redis.passwordKey); the apps get it as REDIS_PASSWORD" }}
{{- end }}
{{- if not $u.host }}
{{- fail (printf "redis.url has no host: %q" $redis.url) }}
{{- end }}
{{- end }}
{{- if and (not .Values.embedding.baseUrl) (not .Values.sglang.enabled) }}
{{- fail "embedding.baseUrl is required (an OpenAI-compatible endpoint including /v1), or set sglang.enabled to run SGLang in this release" }}
{{- end }}
{{- if and .Values.sglang.enabled (eq (empty .Values.sglang.models.existingClaim) (empty .Values.sglang.models.hostPath)) }}
{{- fail "sglang.models: give exactly one of existingClaim and hostPath (the volume holding the model directories)" }}
{{- end }}
{{- if and .Values.sglang.reranker.enabled (not .Values.sglang.enabled) }}
{{- fail "sglang.reranker.enabled needs sglang.enabled: the reranker shares the embedding server's image, models volume and GPU placement" }}
{{- end }}
{{- if and (not .Values.bots.existingSecret) (not .Values.bots.json) }}
{{- fail "bots.existingSecret (a Secret with the bots file under key bots.key) or bots.json is required" }}
{{- end }}
{{- if and .Values.console.enabled (not .Values.consoleUsers.existingSecret) (not .Values.consoleUsers.json) }}
{{- fail "consoleUsers.existingSecret or consoleUsers.json is required while console.enabled is true" }}
{{- end }}
{{- $owned := dict
  "REDIS_URL" "redis.url / redis.sentinel and redis.existingSecret"
  "REDIS_PASSWORD" "redis.existingSecret (a ConfigMap is no place for a password)"
  "REDIS_SENTINEL_PASSWORD" "redis.sentinel.sentinelPasswordKey"
  "AGENT_NOTIFY_WECOM_WEBHOOK_KEY" "envFromSecrets (the robot key is a credential)"
  "QUEUE_PREFIX" "queue.prefix"
  "MILVUS_ADDRESS" "milvus.address"
  "MILVUS_TOKEN" "milvus.token.existingSecret"
  "EMBEDDING_BASE_URL" "embedding.baseUrl"
  "EMBEDDING_PROFILE" "embedding.profile"
  "EMBEDDING_API_KEY" "embedding.apiKey.existingSecret"
  "RERANK_BASE_URL" "rerank.baseUrl"
  "RERANK_MODEL" "rerank.model"
  "RERANK_API_KEY" "rerank.apiKey.existingSecret"
  "GATEWAY_PORT" "gateway.port"
  "CONSOLE_PORT" "console.port"
  "METRICS_PORT" "worker.metricsPort"
  "BOTS_FILE" "bots (the image reads /etc/answerbridge/bots.json)"
  "CONSOLE_USERS_FILE" "consoleUsers (the image reads /etc/answerbridge/console-users.json)" }}
{{- range $key, $_ := .Values.config }}
{{- if hasKey $owned $key }}
{{- fail (printf "config.%s is set by the chart; use %s instead" $key (get $owned $key)) }}
{{- end }}
{{- end }}
{{- range $which := list "gateway" "console" }}
{{- $ing := get $.Values.ingress $which }}
{{- if and $ing.enabled (not $ing.hosts) }}
{{- fail (printf "ingress.%s.hosts is required while ingress.%s.enabled is true" $which $which) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Redis. */}}

{{/* REDIS_URL without credentials: the app takes the password from REDIS_PASSWORD (a secretKeyRef), as it
is, so it is in no ConfigMap, no rendered manifest and no URL that would need it percent-encoded. */}}
{{- define "answerbridge.redisUrl" -}}
{{- $r := .Values.redis }}
{{- if $r.sentinel.enabled }}
{{- printf "redis-sentinel://%s/%s" (join "," $r.sentinel.hosts) $r.sentinel.masterName }}
{{- else }}
{{- $u := urlParse $r.url }}
{{- printf "%s://%s%s" $u.scheme $u.host $u.path }}
{{- if $u.query }}?{{ $u.query }}{{ end }}
{{- end }}
{{- end }}

{{/* host:port of plain Redis for KEDA (the URL may leave the port to its default). */}}
{{- define "answerbridge.redisAddress" -}}
{{- $u := urlParse .Values.redis.url }}
{{- if regexMatch ":[0-9]+$" $u.host }}{{ $u.host }}{{ else }}{{ $u.host }}:6379{{ end }}
{{- end }}

{{- define "answerbridge.redisDatabase" -}}
{{- $db := trimPrefix "/" (urlParse .Values.redis.url).path }}
{{- default "0" $db }}
{{- end }}

{{/* BullMQ's key of a queue's waiting jobs (a Redis list): <prefix>:<queue>:wait. Context: dict "root" $ "queue" name. */}}
{{- define "answerbridge.waitListKey" -}}
{{- printf "%s:%s:wait" .root.Values.queue.prefix .queue }}
{{- end }}

{{/* Embeddings and reranker endpoints. */}}

{{- define "answerbridge.sglangName" -}}
{{- printf "%s-sglang" (include "answerbridge.fullname" .) }}
{{- end }}

{{- define "answerbridge.rerankerName" -}}
{{- printf "%s-sglang-reranker" (include "answerbridge.fullname" .) }}
{{- end }}

{{- define "answerbridge.embeddingBaseUrl" -}}
{{- if .Values.embedding.baseUrl }}
{{- .Values.embedding.baseUrl }}
{{- else }}
{{- printf "http://%s:%d/v1" (include "answerbridge.sglangName" .) (int .Values.sglang.port) }}
{{- end }}
{{- end }}

{{- define "answerbridge.rerankBaseUrl" -}}
{{- if .Values.rerank.baseUrl }}
{{- .Values.rerank.baseUrl }}
{{- else if and .Values.sglang.enabled .Values.sglang.reranker.enabled }}
{{- printf "http://%s:%d/v1" (include "answerbridge.rerankerName" .) (int .Values.sglang.port) }}
{{- end }}
{{- end }}

{{- define "answerbridge.rerankModel" -}}
{{- if .Values.rerank.model }}
{{- .Values.rerank.model }}
{{- else if and (not .Values.rerank.baseUrl) .Values.sglang.enabled .Values.sglang.reranker.enabled }}
{{- .Values.sglang.reranker.servedModelName }}
{{- end }}
{{- end }}

{{/* A value as an env string: YAML numbers arrive as floats, and 1000000 must not become "1e+06". */}}
{{- define "answerbridge.envString" -}}
{{- if and (kindIs "float64" .) (eq (floor .) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/* App pods. */}}

{{- define "answerbridge.env" -}}
{{- $v := .Values }}
env:
  {{- if $v.redis.existingSecret }}
  - name: REDIS_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ $v.redis.existingSecret }}
        key: {{ $v.redis.passwordKey }}
  {{- if and $v.redis.sentinel.enabled $v.redis.sentinel.sentinelPasswordKey }}
  - name: REDIS_SENTINEL_PASSWORD
    valueFrom:
      secretKeyRef:
        name: {{ $v.redis.existingSecret }}
        key: {{ $v.redis.sentinel.sentinelPasswordKey }}
  {{- end }}
  {{- end }}
  - name: REDIS_URL
    value: {{ include "answerbridge.redisUrl" . | quote }}
  {{- if $v.milvus.token.existingSecret }}
  - name: MILVUS_TOKEN
    valueFrom:
      secretKeyRef:
        name: {{ $v.milvus.token.existingSecret }}
        key: {{ $v.milvus.token.key }}
  {{- end }}
  {{- if $v.embedding.apiKey.existingSecret }}
  - name: EMBEDDING_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ $v.embedding.apiKey.existingSecret }}
        key: {{ $v.embedding.apiKey.key }}
  {{- end }}
  {{- if $v.rerank.apiKey.existingSecret }}
  - name: RERANK_API_KEY
    valueFrom:
      secretKeyRef:
        name: {{ $v.rerank.apiKey.existingSecret }}
        key: {{ $v.rerank.apiKey.key }}
  {{- end }}
  {{- with $v.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
envFrom:
  - configMapRef:
      name: {{ include "answerbridge.configMapName" . }}
  {{- range $v.envFromSecrets }}
  - secretRef:
      name: {{ . }}
  {{- end }}
{{- end }}

{{/* Spreads a component's pods unless it brings its own constraints. Context: dict "root" $ "component" name "own" list. */}}
{{- define "answerbridge.topologySpread" -}}
{{- if .own }}
topologySpreadConstraints:
  {{- toYaml .own | nindent 2 }}
{{- else if .root.Values.topologySpread.enabled }}
{{- $spread := .root.Values.topologySpread }}
topologySpreadConstraints:
  {{- range $spread.topologyKeys }}
  - maxSkew: {{ $spread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $spread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "answerbridge.selectorLabels" $ | nindent 8 }}
    # Count only the pods of the current ReplicaSet, so a rollout is not skewed by the old pods.
    matchLabelKeys:
      - pod-template-hash
  {{- end }}
{{- end }}
{{- end }}

{{- define "answerbridge.probe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
periodSeconds: {{ .timing.periodSeconds }}
timeoutSeconds: {{ .timing.timeoutSeconds }}
failureThreshold: {{ .timing.failureThreshold }}
{{- end }}

{{/*
One app Deployment. Context: dict
  "root" $, "component" gateway|worker|console, "values" the component's values,
  "args" container args, "portName" and "port" of its HTTP server, "replicas", "autoscaled" (an autoscaler
  owns the replica count, so the Deployment leaves it out and an upgrade does not reset it),
  "consoleUsers" whether it reads the console users file.
*/}}
{{- define "answerbridge.appDeployment" -}}
{{- $root := .root }}
{{- $v := .values }}
{{- $ctx := dict "root" $root "component" .component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ printf "%s-%s" (include "answerbridge.fullname" $root) .component }}
  labels:
    {{- include "answerbridge.labels" $ctx | nindent 4 }}
spec:
  {{- if not .autoscaled }}
  replicas: {{ .replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # New pods come up before old ones go, so capacity never dips during a rollout.
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "answerbridge.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "answerbridge.labels" $ctx | nindent 8 }}
        {{- with $root.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        # Settings are read once at start-up: a changed ConfigMap or chart-made Secret rolls the pods.
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        checksum/secrets: {{ include (print $root.Template.BasePath "/secrets.yaml") $root | sha256sum }}
        {{- if $root.Values.metrics.podAnnotations }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .port | quote }}
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "answerbridge.serviceAccountName" $root }}
      # The apps never call the Kubernetes API.
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "answerbridge.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args:
            {{- toYaml .args | nindent 12 }}
          ports:
            - name: {{ .portName }}
              containerPort: {{ .port }}
              protocol: TCP
          {{- include "answerbridge.env" $root | trim | nindent 10 }}
          startupProbe:
            {{- include "answerbridge.probe" (dict "path" "/healthz" "port" .portName "timing" $v.probes.startup) | nindent 12 }}
          readinessProbe:
            {{- include "answerbridge.probe" (dict "path" "/readyz" "port" .portName "timing" $v.probes.readiness) | nindent 12 }}
          livenessProbe:
            {{- include "answerbridge.probe" (dict "path" "/healthz" "port" .portName "timing" $v.probes.liveness) | nindent 12 }}
          {{- if and $v.preStopSleepSeconds (semverCompare ">=1.30-0" $root.Capabilities.KubeVersion.Version) }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $v.preStopSleepSeconds }}
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: answerbridge-files
              mountPath: /etc/answerbridge
              readOnly: true
            {{- with $root.Values.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        - name: answerbridge-files
          projected:
            # 0440: readable by the app's group (fsGroup) only.
            defaultMode: 288
            sources:
              - secret:
                  name: {{ include "answerbridge.botsSecretName" $root }}
                  items:
                    - key: {{ $root.Values.bots.key }}
                      path: bots.json
              {{- if .consoleUsers }}
              - secret:
                  name: {{ include "answerbridge.consoleUsersSecretName" $root }}
                  items:
                    - key: {{ $root.Values.consoleUsers.key }}
                      path: console-users.json
              {{- end }}
        {{- with $root.Values.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- include "answerbridge.topologySpread" (dict "root" $root "component" .component "own" $v.topologySpreadConstraints) | trim | nindent 6 }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* A PodDisruptionBudget for a component; minAvailable, when set, wins over maxUnavailable (a PDB takes one).
Context: dict "root" $ "component" name "pdb" values. */}}
{{- define "answerbridge.pdb" -}}
{{- $ctx := dict "root" .root "component" .component }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ printf "%s-%s" (include "answerbridge.fullname" .root) .component }}
  labels:
    {{- include "answerbridge.labels" $ctx | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" .pdb.minAvailable) }}
  minAvailable: {{ .pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "answerbridge.selectorLabels" $ctx | nindent 6 }}
{{- end }}

{{/* A CPU HorizontalPodAutoscaler. Context: dict "root" $ "component" name "hpa" with minReplicas, maxReplicas, targetCPUUtilizationPercentage. */}}
{{- define "answerbridge.cpuHpa" -}}
{{- $ctx := dict "root" .root "component" .component }}
{{- $name := printf "%s-%s" (include "answerbridge.fullname" .root) .component }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  labels:
    {{- include "answerbridge.labels" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ .hpa.minReplicas }}
  maxReplicas: {{ .hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .hpa.targetCPUUtilizationPercentage }}
{{- end }}
