// concerto-dunning: wiring only. The dunning service runs on the platform runtime; its domain arrives
// with its own issue, until then it answers the platform smoke flow.
#include "libs/platform/service_main.h"

int main(int argc, char** argv) {
  concerto::platform::ServiceDefinition service;
  service.name = "dunning";
  service.input_topics = {"invoice.events", "payment.events", "contact.events", "legal.events"};
  service.output_topic = "case.events";
  return concerto::platform::RunService(argc, argv, service);
}
