package io.kubeassume.setup.gcp;

import io.kubeassume.gcp.WorkloadIdentityIam;
import io.kubeassume.setup.Call;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code setup gcp} through the IAM v1 REST API (projects.locations.workloadIdentityPools[.providers]):
 * pool, then provider, each created when missing and waited for (long-running operations); an existing
 * provider is patched with exactly the fields that differ.
 */
public final class GcpSetup {
  private final JsonHttp http;
  private final WorkloadIdentityIam api;
  private final SetupOutput out;
  private final String iam;

  /** {@code http} is null for a dry run; {@code out} may be null when only the read methods are used. */
  public GcpSetup(JsonHttp http, SetupOutput out, String iamEndpoint) {
    this.http = http;
    this.out = out;
    this.iam = iamEndpoint.endsWith("/") ? iamEndpoint.substring(0, iamEndpoint.length() - 1) : iamEndpoint;
    this.api = http == null ? null : new WorkloadIdentityIam(http, this.iam);
  }

  public void run(GcpRequest req) throws SetupException {
    String number = pool(req);
    provider(req);
    if (number == null) {
      number = "PROJECT_NUMBER";
      out.note("pass --project-number to print the principals with your project's number");
    }
    String providerName = "projects/" + number + "/locations/global/workloadIdentityPools/" + req.pool()
        + "/providers/" + req.provider();
    out.result("provider", providerName);
    out.result("token audience", req.audiences().isEmpty()
        ? GcpPlanner.defaultAudience(number, req.pool(), req.provider()) : String.join(", ", req.audiences()));
    out.result("all identities of the pool", "principalSet:" + GcpPlanner.poolPrincipalBase(number, req.pool()) + "/*");
    if (req.namespace() != null) {
      String principal = GcpPlanner.subjectPrincipal(number, req.pool(), req.namespace(), req.serviceAccount());
      out.result("service account principal", principal);
      out.result("namespace principalSet", GcpPlanner.namespacePrincipalSet(number, req.pool(), req.namespace()));
      if (GcpPlanner.subjectTooLong(req.namespace(), req.serviceAccount())) {
        out.note("warning: system:serviceaccount:" + req.namespace() + ":" + req.serviceAccount() + " is longer than "
            + "the 127 bytes google.subject holds; tokens for it will be refused");
      }
      out.block("Grant it a role:", "gcloud projects add-iam-policy-binding " + req.project()
          + " --role=ROLE --member=\"" + principal + "\"");
    } else {
      out.note("add --namespace and --service-account to print the principal and the gcloud grant for one");
    }
    out.block("Credential configuration for the pod:", "gcloud iam workload-identity-pools create-cred-config "
        + providerName + " --credential-source-file=/var/run/secrets/gcp/token --output-file=credential-config.json");
  }

  /** The pool; returns the project number IAM reports, or null on a dry run. */
  private String pool(GcpRequest req) throws SetupException {
    Call get = GcpPlanner.getPool(iam, req.project(), req.pool());
    out.call(get);
    if (out.dryRun()) {
      out.note("if pool " + req.pool() + " exists, a real run does not create it");
      out.call(GcpPlanner.createPool(iam, req.project(), req.pool(), req.issuerUrl()));
      return req.projectNumber();
    }
    String name = GcpPlanner.poolName(req.project(), req.pool());
    JsonHttp.Response r = get(name);
    if (r.status() == 404) {
      Call create = GcpPlanner.createPool(iam, req.project(), req.pool(), req.issuerUrl());
      out.call(create);
      await(send(create, "create workload identity pool " + req.pool()), "create pool " + req.pool());
      out.call(get);
      r = get(name);
    }
    check(r, "read workload identity pool " + req.pool());
    if ("DELETED".equals(r.json().getString("state"))) {
      throw new SetupException("workload identity pool " + req.pool() + " is deleted (kept for 30 days); restore it "
          + "with gcloud iam workload-identity-pools undelete " + req.pool() + " --location=global --project="
          + req.project() + ", or choose another --pool-id");
    }
    String number = GcpPlanner.projectNumber(r.json().getString("name", ""));
    return number != null ? number : req.projectNumber();
  }

  private void provider(GcpRequest req) throws SetupException {
    JsonObject wanted = GcpPlanner.provider(req.issuerUrl(), req.audiences(), req.condition(), req.jwksJson());
    Call get = GcpPlanner.getProvider(iam, req.project(), req.pool(), req.provider());
    Call create = GcpPlanner.createProvider(iam, req.project(), req.pool(), req.provider(), wanted);
    out.call(get);
    if (out.dryRun()) {
      out.note("if provider " + req.provider() + " exists, a real run PATCHes only the fields that differ instead");
      out.call(create);
      return;
    }
    JsonHttp.Response r = get(GcpPlanner.poolName(req.project(), req.pool()) + "/providers/" + req.provider());
    if (r.status() == 404) {
      out.call(create);
      await(send(create, "create provider " + req.provider()), "create provider " + req.provider());
      return;
    }
    check(r, "read provider " + req.provider());
    if ("DELETED".equals(r.json().getString("state"))) {
      throw new SetupException("provider " + req.provider() + " is deleted (kept for 30 days); restore it with gcloud "
          + "iam workload-identity-pools providers undelete " + req.provider() + " --workload-identity-pool="
          + req.pool() + " --location=global --project=" + req.project() + ", or choose another --provider-id");
    }
    List<String> mask = GcpPlanner.updateMask(r.json(), wanted);
    if (mask.isEmpty()) {
      out.note("provider " + req.provider() + " is up to date");
      return;
    }
    Call patch = GcpPlanner.patchProvider(iam, req.project(), req.pool(), req.provider(), mask,
        GcpPlanner.patchBody(wanted, mask));
    out.call(patch);
    await(send(patch, "update provider " + req.provider()), "update provider " + req.provider());
  }

  /** The pool as IAM reports it, or empty if it does not exist. Sends one GET and changes nothing. */
  public Optional<JsonObject> readPool(String project, String pool) throws SetupException {
    return read(GcpPlanner.poolName(project, pool), "read workload identity pool " + pool);
  }

  /** The provider as IAM reports it, or empty if it does not exist. Sends one GET and changes nothing. */
  public Optional<JsonObject> readProvider(String project, String pool, String provider) throws SetupException {
    return read(GcpPlanner.poolName(project, pool) + "/providers/" + provider, "read provider " + provider);
  }

  private Optional<JsonObject> read(String name, String what) throws SetupException {
    JsonHttp.Response r = get(name);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() == 403) {
      // Reading needs less than setup's admin role.
      throw new SetupException("Google denied the request to " + what + ": the caller needs "
          + "roles/iam.workloadIdentityPoolViewer (or iam.workloadIdentityPools.get and "
          + "iam.workloadIdentityPoolProviders.get) on the project (" + r.errorMessage() + ")");
    }
    check(r, what);
    return Optional.of(r.json() == null ? new JsonObject() : r.json());
  }

  private JsonObject send(Call call, String what) throws SetupException {
    JsonHttp.Response r = http.send(call.method(), URI.create(call.target()), new JsonObject(call.body()));
    check(r, what);
    return r.json() == null ? new JsonObject().put("done", true) : r.json();
  }

  /** GET through the shared IAM client, which retries Google's transient answers. */
  private JsonHttp.Response get(String name) throws SetupException {
    try {
      return api.get(name);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupException("interrupted while reading " + name);
    }
  }

  /** Waits for a long-running operation; IAM usually finishes these within seconds. */
  private void await(JsonObject operation, String what) throws SetupException {
    try {
      api.await(operation, what);
    } catch (WorkloadIdentityIam.OperationFailed e) {
      throw new SetupException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupException("interrupted while waiting to " + what);
    }
  }

  private static void check(JsonHttp.Response r, String what) throws SetupException {
    if (r.ok()) {
      return;
    }
    throw new SetupException(switch (r.status()) {
      case 401 -> "Google rejected the credentials to " + what + " (" + r.errorMessage() + "); run gcloud auth "
          + "application-default login again or check GOOGLE_APPLICATION_CREDENTIALS";
      case 403 -> "Google denied the request to " + what + ": the caller needs roles/iam.workloadIdentityPoolAdmin "
          + "on the project (" + r.errorMessage() + ")";
      case 404 -> "cannot " + what + ": not found (" + r.errorMessage() + "); check --project";
      default -> "cannot " + what + ": HTTP " + r.status() + ": " + r.errorMessage();
    });
  }
}
