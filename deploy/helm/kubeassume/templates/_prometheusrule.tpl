{{- /*
The alerts, as the `groups:` of a Prometheus rule file. The PrometheusRule's spec, and (rendered for
release and namespace kubeassume) deploy/prometheus/kubeassume-rules.yaml.

One group per feature, so a group's metrics are all there when the feature is: kubeassume (every
replica), kubeassume-ha (ConfigMap store, leader election), kubeassume-mirror (--mirror),
kubeassume-tls (--tls-cert). Alerts of a feature that is off find no series and stay silent.

Aggregations keep (namespace, job, issuer): a fleet's per-issuer series (and its mirrors') carry an
`issuer` label, so each alert fires per issuer; the single issuer's series have none, and the label
is absent from its alerts. Joins of one replica's series use `on (instance)`.
Prometheus's own {{ }} templates are written {{`{{ ... }}`}} here, so Helm leaves them alone.
*/ -}}

{{- define "kubeassume.metricsSelector" -}}
{{- default (printf "job=\"%s-management\",namespace=\"%s\"" (include "kubeassume.fullname" .) .Release.Namespace) .Values.prometheusRule.selector }}
{{- end }}

{{- /* Labels of one alert: its severity and prometheusRule.alertLabels. Takes (list $ "severity"). */ -}}
{{- define "kubeassume.alertLabels" -}}
{{- $root := index . 0 -}}
severity: {{ index . 1 }}
{{- with $root.Values.prometheusRule.alertLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- /* The runbook section of an alert: its name in lower case is the anchor of its heading. Takes (list $ "AlertName"). */ -}}
{{- define "kubeassume.runbookUrl" -}}
{{- printf "%s#%s" (index . 0).Values.prometheusRule.runbookUrl (lower (index . 1)) }}
{{- end }}

{{- define "kubeassume.prometheusRuleGroups" -}}
{{- $r := .Values.prometheusRule -}}
{{- $s := include "kubeassume.metricsSelector" . -}}
groups:
  - name: kubeassume
    rules:
      - alert: KubeassumeNotServing
        expr: |-
          sum by (namespace, job, issuer) (kubeassume_document_revision{ {{- $s -}} } > bool 0) == 0
          or
          absent(kubeassume_document_revision{ {{- $s -}} })
        for: {{ $r.notServingFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "No kubeassume replica can serve the issuer documents."
          description: "No replica of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} has had a document set to serve (or none was scraped) for {{ $r.notServingFor }}: the public port answers 503, and cloud IAM stops accepting service-account tokens once its cached JWKS expires."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeNotServing") }}
      - alert: KubeassumeSourceFailing
        expr: |-
          max by (namespace, job, issuer) (
            kubeassume_source_up{ {{- $s -}} } unless on (instance) (kubeassume_leader{ {{- $s -}} } == 0)
          ) == 0
        for: {{ $r.sourceFailingFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume cannot read the cluster's keys; the documents are going stale."
          description: "The key source of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} (the leader's, with the ConfigMap store) has failed for {{ $r.sourceFailingFor }}. The last good documents are still served, but a new service-account key would not be published, and tokens it signs would be refused."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeSourceFailing") }}
      - alert: KubeassumeIssuerMismatch
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_issuer_mismatch_total{ {{- $s -}} }[15m])) > 0
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "The API server's issuer differs from kubeassume's --issuer-url."
          description: "{{`{{ $labels.namespace }}/{{ $labels.job }}`}} refused the API server's keys because its discovery document names another issuer. Nothing new is published; tokens whose iss is the API server's issuer do not match the issuer the clouds trust."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeIssuerMismatch") }}
      - alert: KubeassumeRevisionSkew
        expr: |-
          max by (namespace, job, issuer) (kubeassume_document_revision{ {{- $s -}} } > 0)
          !=
          min by (namespace, job, issuer) (kubeassume_document_revision{ {{- $s -}} } > 0)
        for: {{ $r.revisionSkewFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume replicas serve different revisions."
          description: "Replicas of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} have served different document revisions for {{ $r.revisionSkewFor }} (the newest is {{`{{ $value }}`}}): a client may get an older JWKS that lacks the key that signs now."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeRevisionSkew") }}
      - alert: KubeassumeOverlapShorterThanTokenLifetime
        expr: |-
          max by (namespace, job, issuer) (kubeassume_overlap_seconds{ {{- $s -}} }) < {{ int64 $r.tokenLifetimeSeconds }}
        for: 10m
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume drops retired keys before the tokens they signed expire."
          description: "{{`{{ $labels.namespace }}/{{ $labels.job }}`}} keeps a retired key for {{`{{ $value | humanizeDuration }}`}} (--overlap), less than the token lifetime of {{ int64 $r.tokenLifetimeSeconds }}s: after every key rotation, tokens signed shortly before it stop verifying early."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeOverlapShorterThanTokenLifetime") }}
      - alert: KubeassumeKeyRemovedBeforeTokensExpire
        expr: |-
          (min by (namespace, job, issuer) (kubeassume_next_key_removal_timestamp_seconds{ {{- $s -}} }) - time()) < {{ int64 $r.keyRemovalWarningSeconds }}
          and on (namespace, job, issuer)
          max by (namespace, job, issuer) (kubeassume_overlap_seconds{ {{- $s -}} }) < {{ int64 $r.tokenLifetimeSeconds }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "A retired key leaves the JWKS while tokens it signed are still valid."
          description: "{{`{{ $labels.namespace }}/{{ $labels.job }}`}} drops a retired key from the JWKS in {{`{{ $value | humanizeDuration }}`}}, but --overlap is shorter than the token lifetime ({{ int64 $r.tokenLifetimeSeconds }}s): tokens it signed before the rotation will stop verifying in every cloud. Raise --overlap now; the key then stays."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeKeyRemovedBeforeTokensExpire") }}
      - alert: KubeassumeKeyEvicted
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_rotation_total{ {{- $s -}} , type="key_evicted"}[1h])) > 0
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume dropped a retired key before its overlap ended (--max-keys)."
          description: "{{`{{ $labels.namespace }}/{{ $labels.job }}`}} dropped a retired key early to stay within --max-keys: tokens it signed may no longer verify."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeKeyEvicted") }}
      - alert: KubeassumeConnectionFlood
        expr: |-
          sum by (namespace, job, issuer) (rate(kubeassume_http_connections_closed_total{ {{- $s -}} , port="public", reason=~"connection-limit|in-flight-limit|pending-limit"}[2m])) > {{ $r.floodClosesPerSecond }}
          or
          sum by (namespace, job, issuer) (increase(kubeassume_http_accept_paused_total{ {{- $s -}} , port="public"}[2m])) > 0
        for: {{ $r.floodFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume's public port is at its connection caps."
          description: "The public port of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} has closed connections at a cap or stopped accepting for {{ $r.floodFor }}: a flood, or caps too small for the load. Well-behaved clients may be refused."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeConnectionFlood") }}
  - name: kubeassume-ha
    rules:
      - alert: KubeassumeNoLeader
        expr: |-
          sum by (namespace, job, issuer) (kubeassume_leader{ {{- $s -}} }) < 1
        for: {{ $r.noLeaderFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "No kubeassume replica holds the Lease."
          description: "No replica of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} has led for {{ $r.noLeaderFor }}: nobody reads the API server's keys or writes the ConfigMap, so rotations and the end of overlap windows wait. The documents are still served."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeNoLeader") }}
      - alert: KubeassumeLeaderResigning
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_leader_resignations_total{ {{- $s -}} }[1h])) > 0
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "A kubeassume leader gave up the Lease because its sync loop would not start."
          description: "A replica of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} could not start its sync loop as leader and gave up the Lease in the last hour; a replica that keeps failing so cannot sync the keys."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeLeaderResigning") }}
      - alert: KubeassumeConfigMapWriteFailing
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_configmap_writes_total{ {{- $s -}} , result="error"}[5m])) > 0
        for: {{ $r.configMapWriteFailingFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "The kubeassume leader cannot write its ConfigMap."
          description: "The leader of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} has failed to write the state ConfigMap for {{ $r.configMapWriteFailingFor }}: rotations and expiries are not shared with the replicas, which keep serving the last written documents."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeConfigMapWriteFailing") }}
      - alert: KubeassumeContentRejected
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_configmap_rejected_total{ {{- $s -}} }[1h])) > 0
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume refused invalid ConfigMap contents."
          description: "Replicas of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} saw ConfigMap contents that failed validation (a hand edit, or another writer) and kept serving the last good documents; the leader repairs the ConfigMap."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeContentRejected") }}
  - name: kubeassume-mirror
    rules:
      - alert: KubeassumeMirrorBehind
        expr: |-
          max by (namespace, job, issuer, target) (kubeassume_published_revision{ {{- $s -}} })
          < on (namespace, job, issuer) group_left
          max by (namespace, job, issuer) (kubeassume_document_revision{ {{- $s -}} })
        for: {{ $r.mirrorBehindFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . $r.mirrorSeverity) | nindent 10 }}
        annotations:
          summary: "A kubeassume mirror has not published the current documents."
          description: "{{`{{ $labels.target }}`}} holds revision {{`{{ $value }}`}}, older than what {{`{{ $labels.namespace }}/{{ $labels.job }}`}} serves, and has for {{ $r.mirrorBehindFor }}: a relying party that reads the bucket lacks the newest keys."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeMirrorBehind") }}
      - alert: KubeassumeMirrorErrors
        expr: |-
          sum by (namespace, job, issuer, target) (increase(kubeassume_publish_errors_total{ {{- $s -}} }[{{ $r.mirrorErrorsWindow }}])) > {{ int64 $r.mirrorErrorsThreshold }}
        labels:
          {{- include "kubeassume.alertLabels" (list . $r.mirrorSeverity) | nindent 10 }}
        annotations:
          summary: "Publishes to a kubeassume mirror keep failing."
          description: "About {{`{{ printf \"%.0f\" $value }}`}} publishes of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} to {{`{{ $labels.target }}`}} failed in {{ $r.mirrorErrorsWindow }}: the bucket is not repaired and will miss the next rotation."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeMirrorErrors") }}
  - name: kubeassume-tls
    rules:
      - alert: KubeassumeCertificateExpiresSoon
        expr: |-
          (min by (namespace, job, issuer) (kubeassume_tls_certificate_expiry_timestamp_seconds{ {{- $s -}} }) - time())
          < {{ mul $r.certificateExpiryWarningDays 86400 }} >= {{ mul $r.certificateExpiryCriticalDays 86400 }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "The certificate of kubeassume's public port expires within {{ $r.certificateExpiryWarningDays }} days."
          description: "The certificate {{`{{ $labels.namespace }}/{{ $labels.job }}`}} serves expires in {{`{{ $value | humanizeDuration }}`}} and no renewal has been loaded. Cloud IAM refuses an issuer whose certificate has expired."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeCertificateExpiresSoon") }}
      - alert: KubeassumeCertificateAboutToExpire
        expr: |-
          (min by (namespace, job, issuer) (kubeassume_tls_certificate_expiry_timestamp_seconds{ {{- $s -}} }) - time())
          < {{ mul $r.certificateExpiryCriticalDays 86400 }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "critical") | nindent 10 }}
        annotations:
          summary: "The certificate of kubeassume's public port expires within {{ $r.certificateExpiryCriticalDays }} days."
          description: "The certificate {{`{{ $labels.namespace }}/{{ $labels.job }}`}} serves expires in {{`{{ $value | humanizeDuration }}`}} (or has expired). Cloud IAM refuses an issuer whose certificate has expired: every token exchange fails."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeCertificateAboutToExpire") }}
      - alert: KubeassumeCertificateReloadFailing
        expr: |-
          sum by (namespace, job, issuer) (increase(kubeassume_tls_reloads_total{ {{- $s -}} , result="error"}[5m])) > 0
        for: {{ $r.certificateReloadFailingFor }}
        labels:
          {{- include "kubeassume.alertLabels" (list . "warning") | nindent 10 }}
        annotations:
          summary: "kubeassume cannot load the renewed certificate."
          description: "The certificate files of {{`{{ $labels.namespace }}/{{ $labels.job }}`}} have not loaded for {{ $r.certificateReloadFailingFor }} (a key that does not match, a broken file): the previous certificate is still served until it expires."
          runbook_url: {{ include "kubeassume.runbookUrl" (list . "KubeassumeCertificateReloadFailing") }}
{{- end }}
