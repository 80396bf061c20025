{{/* Names and labels (other helpers: _validate.tpl, _endpoints.tpl, _pod.tpl). */}}

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
