// concerto-invoice: wiring only. The invoice service runs on the platform runtime; its domain arrives
// with its own issue, until then it answers the platform smoke flow.
#include "libs/platform/service_main.h"

int main(int argc, char** argv) {
  concerto::platform::ServiceDefinition service;
  service.name = "invoice";
  service.input_topics = {"payment.events"};
  service.output_topic = "invoice.events";
  return concerto::platform::RunService(argc, argv, service);
}
