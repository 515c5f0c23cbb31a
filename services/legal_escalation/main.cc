// concerto-legal-escalation: wiring only. Reads the legal configuration (minimum balance,
// partners per jurisdiction, segment map; see app/legal_config_loader.h), runs the legal
// account handler on the platform runtime over case.events (escalation requests and the case
// facts eligibility needs), publishes on legal.events, and serves LegalService.
#include <cstdio>
#include <memory>
#include <vector>

#include "libs/platform/runtime/config.h"
#include "libs/platform/service_main.h"
#include "services/legal_escalation/app/legal_config_loader.h"
#include "services/legal_escalation/app/legal_handler.h"
#include "services/legal_escalation/app/legal_service.h"

int main(int argc, char** argv) {
  concerto::legal::LegalConfig legal_config;
  {
    // Only the legal keys are read here; RunService reads (and reports) the rest.
    auto config = concerto::platform::Config::Load(argc, argv);
    if (config.ok()) {
      auto loaded = concerto::legal::LoadLegalConfig(*config);
      if (!loaded.ok()) {
        std::fprintf(stderr, "legal-escalation: %s\n", loaded.status().ToString().c_str());
        return 2;
      }
      legal_config = *std::move(loaded);
    }
  }
  concerto::legal::LegalHandler handler(&legal_config);
  concerto::platform::ServiceDefinition service;
  service.name = "legal-escalation";
  service.input_topics = {"case.events"};
  service.output_topic = "legal.events";
  service.domain = &handler;
  service.apis = [](const concerto::platform::ServiceContext& ctx) {
    std::vector<std::unique_ptr<grpc::Service>> apis;
    apis.push_back(std::make_unique<concerto::legal::LegalServiceImpl>(ctx.processor, ctx.clock));
    return apis;
  };
  return concerto::platform::RunService(argc, argv, service);
}
