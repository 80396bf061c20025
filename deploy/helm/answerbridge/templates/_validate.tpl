{{/* Values checks that a JSON schema cannot phrase clearly. Included once, by the ConfigMap every install renders. */}}
{{- define "answerbridge.validate" -}}
{{- $_ := required "milvus.address is required: host:port of the Milvus proxy (gRPC), e.g. milvus.milvus.svc:19530; deploy/helm/milvus-values.yaml installs one" .Values.milvus.address }}
{{- $redis := .Values.redis }}
{{- if gt (len (compact (list $redis.url $redis.sentinel.enabled $redis.cluster.enabled))) 1 }}
{{- fail "redis: give one of redis.url (plain Redis), redis.sentinel.enabled with redis.sentinel.hosts, or redis.cluster.enabled with redis.cluster.nodes" }}
{{- end }}
{{- if $redis.sentinel.enabled }}
{{- if not $redis.sentinel.hosts }}
{{- fail "redis.sentinel.hosts is required with redis.sentinel.enabled: the Sentinel nodes as host:port" }}
{{- end }}
{{- else if $redis.cluster.enabled }}
{{- if not $redis.cluster.nodes }}
{{- fail "redis.cluster.nodes is required with redis.cluster.enabled: host:port of the cluster's nodes, or of a managed cluster's configuration endpoint" }}
{{- end }}
{{- else }}
{{- $_ := required "redis.url is required (e.g. redis://redis-master.redis.svc:6379/0), or set redis.sentinel.enabled and redis.sentinel.hosts, or redis.cluster.enabled and redis.cluster.nodes" $redis.url }}
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
{{- if not .Values.database.existingSecret }}
{{- fail "database.existingSecret is required: a Secret holding DATABASE_URL (postgres://user:password@host:5432/answerbridge) under key database.urlKey; the workers keep the review queue and the console its accounts in PostgreSQL" }}
{{- end }}
{{- if and .Values.console.enabled (not .Values.consoleUsers.existingSecret) (not .Values.consoleUsers.json) }}
{{- fail "consoleUsers.existingSecret or consoleUsers.json is required while console.enabled is true" }}
{{- end }}
{{- $owned := dict
  "REDIS_URL" "redis.url / redis.sentinel / redis.cluster and redis.existingSecret"
  "REDIS_PASSWORD" "redis.existingSecret (a ConfigMap is no place for a password)"
  "REDIS_SENTINEL_PASSWORD" "redis.sentinel.sentinelPasswordKey"
  "DATABASE_URL" "database.existingSecret (the URL holds the password)"
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
