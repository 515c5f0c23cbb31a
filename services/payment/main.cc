// concerto-payment: wiring only. The payment service runs on the platform runtime; its domain arrives
// with its own issue, until then it answers the platform smoke flow.
#include "libs/platform/service_main.h"

int main(int argc, char** argv) {
  concerto::platform::ServiceDefinition service;
  service.name = "payment";
  service.input_topics = {"invoice.events"};
  service.output_topic = "payment.events";
  return concerto::platform::RunService(argc, argv, service);
}
