{{/* App pods: their env, probes, spread, the Deployment every app shares, its PDB and CPU autoscaler. */}}

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
  {{- if $v.database.existingSecret }}
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ $v.database.existingSecret }}
        key: {{ $v.database.urlKey }}
  {{- end }}
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
