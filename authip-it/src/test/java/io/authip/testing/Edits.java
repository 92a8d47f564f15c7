package io.authip.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.function.UnaryOperator;

/** Edits of resources the operator also writes, made as {@code kubectl edit} makes them. */
public final class Edits {

  static final int ATTEMPTS = 10;

  private Edits() {}

  /**
   * Reads the resource, changes it and patches it. A write of someone else between the read and the patch (the
   * operator's status, an annotation it clears) makes the patch conflict (409); as kubectl does, the edit is then made
   * again on the fresh object, so {@code change} must describe the edit, not a delta already applied.
   */
  public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
    return again(() -> resource.edit(change));
  }

  /** As {@link #edit}, for the status subresource (what anyone who may write a policy's status can do). */
  public static <T extends HasMetadata> T editStatus(Resource<T> resource, UnaryOperator<T> change) {
    return again(() -> resource.editStatus(change));
  }

  private static <T> T again(java.util.function.Supplier<T> patch) {
    for (int attempt = 1; ; attempt++) {
      try {
        return patch.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
