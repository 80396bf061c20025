{{/* Where the apps find Redis, the embedder and the reranker, and how values become env strings. */}}

{{/* Redis. */}}

{{/* REDIS_URL without credentials: the app takes the password from REDIS_PASSWORD (a secretKeyRef), as it
is, so it is in no ConfigMap, no rendered manifest and no URL that would need it percent-encoded. */}}
{{- define "answerbridge.redisUrl" -}}
{{- $r := .Values.redis }}
{{- if $r.sentinel.enabled }}
{{- printf "redis-sentinel://%s/%s" (join "," $r.sentinel.hosts) $r.sentinel.masterName }}
{{- else if $r.cluster.enabled }}
{{- printf "%s://%s" (ternary "rediss-cluster" "redis-cluster" $r.cluster.tls) (join "," $r.cluster.nodes) }}
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

{{/* The key prefix the apps use (libs/config keyPrefixFor): on a Redis Cluster the hash tag {prefix}, unless
the prefix holds braces already; elsewhere the prefix as it is. Rendered into QUEUE_PREFIX as well, so the
ConfigMap shows the keys' real prefix. */}}
{{- define "answerbridge.queuePrefix" -}}
{{- $p := .Values.queue.prefix }}
{{- if and .Values.redis.cluster.enabled (not (regexMatch "[{}]" $p)) }}{{ printf "{%s}" $p }}{{ else }}{{ $p }}{{ end }}
{{- end }}

{{/* BullMQ's key of a queue's waiting jobs (a Redis list): <prefix>:<queue>:wait. Context: dict "root" $ "queue" name. */}}
{{- define "answerbridge.waitListKey" -}}
{{- printf "%s:%s:wait" (include "answerbridge.queuePrefix" .root) .queue }}
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
