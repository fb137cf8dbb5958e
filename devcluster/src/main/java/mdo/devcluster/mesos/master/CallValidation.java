package mdo.devcluster.mesos.master;

import mdo.devcluster.mesos.wire.Uuids;
import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * {@code validation::scheduler::call::validate} (master/validation.cpp): the checks every call passes before the
 * master looks at frameworks. A failure is answered 400 "Failed to validate scheduler::Call: ...".
 */
final class CallValidation {
  private CallValidation() {}

  /** Null when valid, else the master's message. {@code principal} is the authenticated one, or null. */
  static String problem(Call call, String principal) {
    if (!call.isInitialized()) {
      return "Not initialized: " + String.join(", ", call.findInitializationErrors());
    }
    if (!call.hasType()) return "Expecting 'type' to be present";
    if (call.getType() == Call.Type.SUBSCRIBE) {
      if (!call.hasSubscribe()) return "Expecting 'subscribe' to be present";
      var info = call.getSubscribe().getFrameworkInfo();
      if (!info.getId().equals(call.getFrameworkId())) {
        return "'framework_id' differs from 'subscribe.framework_info.id'";
      }
      if (principal != null && info.hasPrincipal() && !principal.equals(info.getPrincipal())) {
        return "Authenticated principal '" + principal + "' does not match principal '" + info.getPrincipal()
            + "' set in `FrameworkInfo`";
      }
      return null;
    }
    if (!call.hasFrameworkId()) return "Expecting 'framework_id' to be present";
    return switch (call.getType()) {
      case ACCEPT -> call.hasAccept() ? null : "Expecting 'accept' to be present";
      case DECLINE -> call.hasDecline() ? null : "Expecting 'decline' to be present";
      case ACCEPT_INVERSE_OFFERS -> call.hasAcceptInverseOffers() ? null
          : "Expecting 'accept_inverse_offers' to be present";
      case DECLINE_INVERSE_OFFERS -> call.hasDeclineInverseOffers() ? null
          : "Expecting 'decline_inverse_offers' to be present";
      case KILL -> call.hasKill() ? null : "Expecting 'kill' to be present";
      case SHUTDOWN -> call.hasShutdown() ? null : "Expecting 'shutdown' to be present";
      case ACKNOWLEDGE -> !call.hasAcknowledge() ? "Expecting 'acknowledge' to be present"
          : Uuids.valid(call.getAcknowledge().getUuid()) ? null : "Not a valid UUID";
      case ACKNOWLEDGE_OPERATION_STATUS -> {
        if (!call.hasAcknowledgeOperationStatus()) yield "Expecting 'acknowledge_operation_status' to be present";
        if (!Uuids.valid(call.getAcknowledgeOperationStatus().getUuid())) yield "Not a valid UUID";
        yield call.getAcknowledgeOperationStatus().hasAgentId() ? null : "Expecting 'agent_id' to be present";
      }
      case RECONCILE -> call.hasReconcile() ? null : "Expecting 'reconcile' to be present";
      case RECONCILE_OPERATIONS -> call.hasReconcileOperations() ? null
          : "Expecting 'reconcile_operations' to be present";
      case MESSAGE -> call.hasMessage() ? null : "Expecting 'message' to be present";
      case REQUEST -> call.hasRequest() ? null : "Expecting 'request' to be present";
      case UPDATE_FRAMEWORK -> {
        if (!call.hasUpdateFramework()) yield "Expecting 'update_framework' to be present";
        yield call.getFrameworkId().equals(call.getUpdateFramework().getFrameworkInfo().getId()) ? null
            : "'framework_id' differs from 'update_framework.framework_info.id'";
      }
      default -> null; // TEARDOWN, REVIVE, SUPPRESS, UNKNOWN
    };
  }
}
