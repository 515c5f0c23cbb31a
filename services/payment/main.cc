// concerto-payment: wiring only. Debtor accounts (payments, allocations, promises, plans) on the
// platform runtime; it consumes invoice events (the open invoices it allocates to) and dunning's
// FeesApplied (costs and interest), and serves PaymentService.
#include <memory>
#include <vector>

#include "libs/platform/service_main.h"
#include "services/payment/app/payment_handler.h"
#include "services/payment/app/payment_service.h"

int main(int argc, char** argv) {
  concerto::payment::PaymentHandler handler;
  concerto::platform::ServiceDefinition service;
  service.name = "payment";
  service.input_topics = {"invoice.events", "case.events"};
  service.output_topic = "payment.events";
  service.domain = &handler;
  service.apis = [](const concerto::platform::ServiceContext& ctx) {
    std::vector<std::unique_ptr<grpc::Service>> apis;
    apis.push_back(std::make_unique<concerto::payment::PaymentServiceImpl>(ctx.processor, ctx.clock));
    return apis;
  };
  return concerto::platform::RunService(argc, argv, service);
}
