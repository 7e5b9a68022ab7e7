{{- define "kubeassume.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kubeassume.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "kubeassume.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "kubeassume.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "kubeassume.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubeassume.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kubeassume.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kubeassume.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kubeassume.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kubeassume.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kubeassume.configMapName" -}}
{{- default (printf "%s-oidc" (include "kubeassume.fullname" .)) .Values.configMapName }}
{{- end }}

{{- define "kubeassume.leaseName" -}}
{{- default (include "kubeassume.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- /* The issuer URL, checked: everything else is derived from it. */}}
{{- define "kubeassume.issuerUrl" -}}
{{- required "issuerUrl is required: the public https URL, identical to the API server's --service-account-issuer (e.g. --set issuerUrl=https://oidc.example.com)" .Values.issuerUrl }}
{{- end }}

{{- /* The issuer's path without a trailing slash ("" for a bare host): the documents live under it. */}}
{{- define "kubeassume.issuerPath" -}}
{{- (urlParse (include "kubeassume.issuerUrl" .)).path | trimSuffix "/" }}
{{- end }}

{{- /* Whether the pod talks to the API server at all. */}}
{{- define "kubeassume.needsApiServer" -}}
{{- if or (eq .Values.source "kubernetes") (eq .Values.store "configmap") }}true{{- end }}
{{- end }}


{{- /* The public port's name: https when the server terminates TLS itself, so meshes and readers see the protocol. */}}
{{- define "kubeassume.publicPortName" -}}
{{- if .Values.serverTls.enabled }}https{{- else }}http{{- end }}
{{- end }}

{{- /* The Secret with the server's own certificate (serverTls). */}}
{{- define "kubeassume.serverTlsSecret" -}}
{{- default (printf "%s-server-tls" (include "kubeassume.fullname" .)) .Values.serverTls.secretName }}
{{- end }}
