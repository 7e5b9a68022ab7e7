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
{{- if .Values.fleet.enabled }}
{{- if eq .Values.fleet.source "kubernetes" }}true{{- end }}
{{- else if or (eq .Values.source "kubernetes") (eq .Values.store "configmap") }}true{{- end }}
{{- end }}

{{- /* Whether the pod keeps its state in files on the state volume (store file, or a fleet's issuers file). */}}
{{- define "kubeassume.stateVolume" -}}
{{- if .Values.fleet.enabled }}
{{- if eq .Values.fleet.source "file" }}true{{- end }}
{{- else if eq .Values.store "file" }}true{{- end }}
{{- end }}

{{- /* A fleet's one public host: the override given, else the host of the first of fleet.issuerUrlPrefixes. */}}
{{- define "kubeassume.fleetHost" -}}
{{- $prefix := first .Values.fleet.issuerUrlPrefixes | default "" }}
{{- $fromPrefix := "" }}
{{- if $prefix }}{{ $fromPrefix = regexReplaceAll ":[0-9]+$" (urlParse $prefix).host "" }}{{ end }}
{{- .override | default $fromPrefix | required "with fleet.enabled, name the public host of the issuers: set fleet.issuerUrlPrefixes (e.g. [https://oidc.example.com/clusters/]) or the host itself (ingress.host, serverTls.host)" }}
{{- end }}


{{- /* The public port's name: https when the server terminates TLS itself, so meshes and readers see the protocol. */}}
{{- define "kubeassume.publicPortName" -}}
{{- if .Values.serverTls.enabled }}https{{- else }}http{{- end }}
{{- end }}

{{- /* The Secret with the server's own certificate (serverTls). */}}
{{- define "kubeassume.serverTlsSecret" -}}
{{- default (printf "%s-server-tls" (include "kubeassume.fullname" .)) .Values.serverTls.secretName }}
{{- end }}
