package io.authip.operator;

import io.authip.api.v1alpha1.AuthorizedIpPolicy;
import io.authip.api.v1alpha1.IpRangeSet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/** JOSDK clones resources through JSON; this keeps the problems recorded while reading them across the copy. */
final class ReadProblemsCloner implements Cloner {

  private final KubernetesSerialization serialization;

  ReadProblemsCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (object instanceof AuthorizedIpPolicy p && copy instanceof AuthorizedIpPolicy c) {
      c.setReadProblems(p.getReadProblems());
    } else if (object instanceof IpRangeSet s && copy instanceof IpRangeSet c) {
      c.setReadProblems(s.getReadProblems());
    }
    return copy;
  }
}
