// The app layer's personal-data helpers without Redis: master key sources, the encryption of a
// Debtor's personal part, and how a retried command with personal data is compared.
#include "services/invoice/app/personal_data.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/invoice/app/command.pb.h"
#include "services/invoice/app/invoice_service.h"

namespace concerto::invoice {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MasterKeyTest, SourcesInOrderAndNoDevKeyWithoutPermission) {
  const crypto::MasterKey key = crypto::GenerateMasterKey();
  MasterKeySource text;
  text.text = crypto::MasterKeyToBase64(key);
  absl::StatusOr<LoadedMasterKey> loaded = LoadMasterKey(text);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->development);
  // The same key: a data key sealed with one opens with the other.
  const crypto::DataKey dk = crypto::GenerateDataKey();
  EXPECT_TRUE(crypto::OpenDataKey(loaded->key, crypto::SealDataKey(key, dk, "t/d"), "t/d").ok());

  MasterKeySource bad;
  bad.text = "secret-but-not-a-key";
  absl::Status s = LoadMasterKey(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), Not(HasSubstr("secret-but-not-a-key")));

  MasterKeySource none;
  none.allow_dev_key = false;
  EXPECT_EQ(LoadMasterKey(none).status().code(), absl::StatusCode::kFailedPrecondition);
  none.allow_dev_key = true;  // but no Redis to keep it in
  EXPECT_EQ(LoadMasterKey(none).status().code(), absl::StatusCode::kFailedPrecondition);

  MasterKeySource missing;
  missing.file = "/nonexistent/concerto-master-key";
  missing.text = text.text;  // the file wins, even when it cannot be read
  EXPECT_FALSE(LoadMasterKey(missing).ok());
}

TEST(PersonalPartTest, RoundTripBoundToTheAccount) {
  const crypto::DataKey key = crypto::GenerateDataKey();
  v1::Debtor p;
  p.set_debtor_id("D-1");
  p.set_family_name("Rossi");
  p.add_contact_points()->set_email("mario@example.org");
  const std::string blob = EncryptPersonal(key, "t/D-1", p);
  EXPECT_EQ(blob.find("Rossi"), std::string::npos);
  absl::StatusOr<v1::Debtor> back = DecryptPersonal(key, "t/D-1", blob);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), p.SerializeAsString());
  EXPECT_EQ(DecryptPersonal(key, "t/D-2", blob).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecryptPersonal(crypto::GenerateDataKey(), "t/D-1", blob).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(CanonicalCommandTest, RetriesCompareByPlaintextNotByCiphertext) {
  const crypto::DataKey key = crypto::GenerateDataKey();
  v1::Debtor p;
  p.set_debtor_id("D-1");
  p.set_given_name("Anna");
  auto command = [&](const v1::Debtor& personal, bool changed) {
    app::InvoiceCommand cmd;
    app::DebtorUpsertCommand* u = cmd.mutable_upsert_debtor()->mutable_upsert();
    u->mutable_profile()->set_debtor_id("D-1");
    u->set_encrypted_personal_data(EncryptPersonal(key, "t/D-1", personal));
    if (changed) u->add_changed_personal_fields("given_name");
    return cmd.SerializeAsString();
  };
  const std::string first = command(p, true);
  const std::string retry = command(p, false);  // re-encrypted; nothing changes any more
  EXPECT_NE(first, retry);
  EXPECT_EQ(CanonicalCommand(first, &key, "t/D-1"), CanonicalCommand(retry, &key, "t/D-1"));
  v1::Debtor other = p;
  other.set_given_name("Anna Maria");
  EXPECT_NE(CanonicalCommand(first, &key, "t/D-1"),
            CanonicalCommand(command(other, true), &key, "t/D-1"));
}

}  // namespace
}  // namespace concerto::invoice
