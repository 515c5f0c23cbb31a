// Personal data never leaves the invoice service in clear (DESIGN.md, "Personal data"): distinctive
// names, an e-mail address, a phone number and a street go in through UpsertDebtor and an import
// debtor row, are changed, read back, restricted and erased; afterwards none of them appears
//   - in any payload (or any byte) of what reached invoice.events and invoice.dlq,
//   - in any Redis value or key (every key scanned: strings, hashes, lists, sets, sorted sets),
//   - in any log line of the processor and the service (captured through the log sink),
//   - in the error messages of rejected requests.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/platform/runtime/logging.h"
#include "services/invoice/app/invoice_test_env.h"

namespace concerto::invoice {
namespace {

using platform::redis::Reply;
using testing::Ctx;
using testing::Spec;

// The canaries: values that occur nowhere else.
const std::vector<std::string>& Canaries() {
  static const auto* v = new std::vector<std::string>{
      "Zebulonia",             // given name
      "Quartermaine-Vasquez",  // family name
      "Pennyworth Ottavia",    // person at a contact point
      "Canarini Holdings",     // legal name
      "IT55501234567",         // registration number
      "zebulonia.qv@canary-mail.example",
      "+393471234987",
      "Via dei Canarini 77",            // street
      "Borgo Canarino",                 // city
      "Marigoldina",                    // a changed given name
      "Vicolo Stretto dei Pettirossi",  // street of the imported debtor
      "+358401234567",                  // phone of the imported debtor
  };
  return *v;
}

v1::Debtor Canary(const std::string& id) {
  const auto& c = Canaries();
  v1::Debtor d;
  d.set_debtor_id(id);
  d.set_type(v1::DEBTOR_TYPE_CONSUMER);
  d.set_given_name(c[0]);
  d.set_family_name(c[1]);
  d.set_legal_name(c[3]);
  d.set_registration_number(c[4]);
  d.set_country("IT");
  v1::ContactPoint* mail = d.add_contact_points();
  mail->set_contact_point_id("cp-1");
  mail->set_role(v1::CONTACT_ROLE_BILLING);
  mail->set_person_name(c[2]);
  mail->set_email(c[5]);
  v1::ContactPoint* phone = d.add_contact_points();
  phone->set_contact_point_id("cp-2");
  phone->set_phone(c[6]);
  v1::ContactPoint* post = d.add_contact_points();
  post->set_contact_point_id("cp-3");
  post->set_role(v1::CONTACT_ROLE_LEGAL);
  post->mutable_postal()->add_lines(c[7]);
  post->mutable_postal()->set_postal_code("37121");
  post->mutable_postal()->set_city(c[8]);
  post->mutable_postal()->set_country("IT");
  return d;
}

std::vector<std::string> Found(const std::string& bytes) {
  std::vector<std::string> out;
  for (const std::string& c : Canaries()) {
    if (absl::StrContains(bytes, c)) out.push_back(c);
  }
  return out;
}

class InvoicePersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    platform::SetLogSink([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      log_.append(line.data(), line.size());
      log_ += "\n";
    });
    env_ = testing::Env::Create();
    ASSERT_NE(env_, nullptr) << "fixtures did not start";
  }
  void TearDown() override {
    env_.reset();
    platform::SetLogSink(nullptr);
  }

  std::string Log() {
    absl::MutexLock lock(&mu_);
    return log_;
  }

  // RedisDump returns every key and value of the Redis the service uses, as one blob per key.
  std::vector<std::pair<std::string, std::string>> RedisDump() {
    std::vector<std::pair<std::string, std::string>> out;
    auto client = platform::redis::RedisClient::Connect(env_->redis->address());
    EXPECT_TRUE(client.ok());
    if (!client.ok()) return out;
    std::string cursor = "0";
    do {
      auto scan = (*client)->Command({"SCAN", cursor, "COUNT", "1000"});
      EXPECT_TRUE(scan.ok());
      if (!scan.ok() || scan->elements.size() != 2) break;
      cursor = scan->elements[0].str;
      for (const Reply& k : scan->elements[1].elements) {
        auto type = (*client)->Command({"TYPE", k.str});
        if (!type.ok()) continue;
        std::vector<std::string> cmd;
        if (type->str == "string") cmd = {"GET", k.str};
        if (type->str == "hash") cmd = {"HGETALL", k.str};
        if (type->str == "list") cmd = {"LRANGE", k.str, "0", "-1"};
        if (type->str == "set") cmd = {"SMEMBERS", k.str};
        if (type->str == "zset") cmd = {"ZRANGE", k.str, "0", "-1", "WITHSCORES"};
        EXPECT_FALSE(cmd.empty()) << "unexpected Redis type " << type->str << " of " << k.str;
        if (cmd.empty()) continue;
        auto value = (*client)->Command(cmd);
        if (!value.ok()) continue;
        std::string blob = value->str;
        for (const Reply& e : value->elements) blob += e.str + "\n";
        out.emplace_back(k.str, std::move(blob));
      }
    } while (cursor != "0");
    return out;
  }

  std::unique_ptr<testing::Env> env_;
  absl::Mutex mu_;
  std::string log_;
};

TEST_F(InvoicePersonalDataTest, NoPersonalFieldInClearOnKafkaInRedisOrInTheLogs) {
  auto& stub = *env_->stub;
  const auto& c = Canaries();

  // 1. Upsert, then change a name (changed fields are reported by name only).
  {
    grpc::ClientContext ctx;
    v1::UpsertDebtorRequest r;
    *r.mutable_context() = Ctx("pii", "up-1");
    *r.mutable_debtor() = Canary("P-1");
    v1::UpsertDebtorResponse out;
    grpc::Status s = stub.UpsertDebtor(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    grpc::ClientContext ctx2;
    r.mutable_debtor()->set_given_name(c[9]);
    *r.mutable_context() = Ctx("pii", "up-2");
    s = stub.UpsertDebtor(&ctx2, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(out.changed_fields(), ::testing::ElementsAre("given_name"));
  }
  // 2. A rejected upsert whose bad values are personal: the error never echoes them.
  {
    grpc::ClientContext ctx;
    v1::UpsertDebtorRequest r;
    *r.mutable_context() = Ctx("pii", "up-bad");
    *r.mutable_debtor() = Canary("P-3");
    r.mutable_debtor()->mutable_contact_points(0)->set_email(c[1]);  // not an address
    r.mutable_debtor()->mutable_contact_points(1)->set_phone(c[0]);  // not a number
    v1::UpsertDebtorResponse out;
    grpc::Status s = stub.UpsertDebtor(&ctx, r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(Found(s.error_message() + s.error_details()), ::testing::IsEmpty());
  }
  // 3. An import with a debtor row (personal data), a bad debtor row and invoices.
  {
    grpc::ClientContext ctx;
    v1::ImportInvoicesResponse out;
    auto writer = stub.ImportInvoices(&ctx, &out);
    v1::ImportInvoicesRequest m;
    *m.mutable_context() = Ctx("pii", "import-1");
    v1::Debtor imported = Canary("P-2");
    imported.mutable_contact_points(2)->mutable_postal()->set_lines(0, c[10]);
    imported.mutable_contact_points(1)->set_phone(c[11]);
    *m.add_rows()->mutable_debtor() = imported;
    *m.add_rows()->mutable_invoice() = Spec("PII-2", "P-2", 1500);
    v1::Debtor bad = Canary("P-4");
    bad.mutable_contact_points(0)->set_email(c[2]);
    *m.add_rows()->mutable_debtor() = bad;
    *m.add_rows()->mutable_invoice() = Spec("PII-1", "P-1", 2500);
    ASSERT_TRUE(writer->Write(m));
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.rejected(), 1);
    EXPECT_EQ(out.created(), 2);
    EXPECT_THAT(Found(out.SerializeAsString()), ::testing::IsEmpty());
  }
  // 4. Read back (the data really is in the system), then restrict P-1 and erase P-2.
  {
    grpc::ClientContext ctx;
    v1::GetDebtorContactRequest r;
    *r.mutable_context() = Ctx("pii");
    r.set_debtor_id("P-1");
    r.set_purpose(v1::CONTACT_PURPOSE_LEGAL_DOSSIER);
    r.set_case_id("case-1");
    v1::GetDebtorContactResponse out;
    grpc::Status s = stub.GetDebtorContact(&ctx, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.debtor().given_name(), c[9]);
    EXPECT_EQ(out.debtor().contact_points(2).postal().lines(0), c[7]);
    grpc::ClientContext ctx2;
    r.set_debtor_id("P-2");
    s = stub.GetDebtorContact(&ctx2, r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.debtor().contact_points(1).phone(), c[11]);
  }
  {
    // P-2's invoice is credited to zero first, so nothing keeps its data.
    grpc::ClientContext ctx;
    v1::AdjustInvoiceRequest adj;
    *adj.mutable_context() = Ctx("pii", "credit-2");
    adj.mutable_invoice()->set_invoice_number("PII-2");
    adj.set_kind(v1::ADJUSTMENT_KIND_CREDIT_NOTE);
    *adj.mutable_amount() = testing::Eur(1500);
    v1::AdjustInvoiceResponse adjusted;
    ASSERT_TRUE(stub.AdjustInvoice(&ctx, adj, &adjusted).ok());
    for (const char* who : {"P-1", "P-2"}) {
      grpc::ClientContext ectx;
      v1::EraseDebtorRequest e;
      *e.mutable_context() = Ctx("pii", absl::StrCat("erase-", who));
      e.set_debtor_id(who);
      v1::EraseDebtorResponse out;
      grpc::Status s = stub.EraseDebtor(&ectx, e, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(out.outcome(), std::string(who) == "P-1" ? v1::ERASE_OUTCOME_RESTRICTED
                                                         : v1::ERASE_OUTCOME_ERASED);
    }
  }

  // Kafka: every byte of every record on the service's topics.
  ASSERT_TRUE(env_->WaitOutboxEmpty());
  const auto events = env_->ConsumeAll("invoice.events");
  EXPECT_GE(events.size(), 6u);  // 3 DebtorUpserted, 2 InvoiceIssued, adjust/settle, 2 erased
  std::set<std::string> types;
  for (const common::v1::Envelope& e : events) {
    types.insert(e.type());
    EXPECT_THAT(Found(e.SerializeAsString()), ::testing::IsEmpty()) << e.type();
  }
  EXPECT_TRUE(types.count("concerto.invoice.v1.DebtorUpserted"));
  EXPECT_TRUE(types.count("concerto.invoice.v1.DebtorErased"));
  for (const common::v1::Envelope& e : env_->ConsumeAll("invoice.dlq", absl::Seconds(1))) {
    EXPECT_THAT(Found(e.SerializeAsString()), ::testing::IsEmpty());
  }

  // Redis: every key and value. A control key proves the scan would see a canary.
  {
    auto client = platform::redis::RedisClient::Connect(env_->redis->address());
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->Command({"HSET", "control", "f", c[5]}).ok());
    bool control_seen = false;
    int keys = 0;
    for (const auto& [key, value] : RedisDump()) {
      if (key == "control") {
        control_seen = !Found(value).empty();
        continue;
      }
      ++keys;
      EXPECT_THAT(Found(key), ::testing::IsEmpty()) << key;
      EXPECT_THAT(Found(value), ::testing::IsEmpty()) << key;
    }
    EXPECT_TRUE(control_seen);
    EXPECT_GT(keys, 5);
    ASSERT_TRUE((*client)->Command({"DEL", "control"}).ok());
  }

  // Logs: the service did log (the audit line of each read), never a value.
  const std::string log = Log();
  EXPECT_THAT(log, ::testing::HasSubstr("personal data read"));
  EXPECT_THAT(log, ::testing::HasSubstr("legal_dossier"));
  EXPECT_THAT(Found(log), ::testing::IsEmpty());
}

}  // namespace
}  // namespace concerto::invoice
