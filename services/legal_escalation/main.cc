// concerto-legal-escalation: wiring only. The legal-escalation service runs on the platform runtime; its domain arrives
// with its own issue, until then it answers the platform smoke flow.
#include "libs/platform/service_main.h"

int main(int argc, char** argv) {
  concerto::platform::ServiceDefinition service;
  service.name = "legal-escalation";
  service.input_topics = {"case.events"};
  service.output_topic = "legal.events";
  return concerto::platform::RunService(argc, argv, service);
}
