#!/usr/bin/env bash
# The users scenario of issue 3 driven by the AWS CLI, so that the CLI's own
# encoding and decoding of the user operations is covered: a pool, users, a
# filtered list (followed over several pages by the CLI's paginator), a
# group and a membership. Every answer is checked with --query.
#
# e2e/awscli_test.go runs it (TestAWSCLIUsersScript) with COGNITOD_ENDPOINT
# pointing at a test server and the credentials and region in the
# environment. By hand, against a running cognitod:
#
#   AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
#     COGNITOD_ENDPOINT=http://127.0.0.1:9229 bash e2e/testdata/cli-users.sh
set -euo pipefail

: "${COGNITOD_ENDPOINT:?set COGNITOD_ENDPOINT to the URL of the server}"

idp() { aws cognito-idp --endpoint-url "$COGNITOD_ENDPOINT" --output text "$@"; }

# expect WHAT WANT GOT
expect() {
	if [[ "$3" != "$2" ]]; then
		printf 'FAIL %s\n  want: %q\n   got: %q\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	printf 'ok   %s\n' "$1"
}

pool=$(idp create-user-pool --pool-name cli-users --query UserPool.Id)
[[ "$pool" == *_* ]] || { echo "FAIL create-user-pool: pool id $pool" >&2; exit 1; }
echo "pool $pool"

# Users: three Smiths and one Jones, invitations suppressed.
for u in alice:Smith bob:Smith carol:Smith dave:Jones; do
	name=${u%%:*} family=${u#*:}
	got=$(idp admin-create-user --user-pool-id "$pool" --username "$name" \
		--user-attributes Name=email,Value="$name@example.com" Name=family_name,Value="$family" \
		--temporary-password 'Temp-Passw0rd!' --message-action SUPPRESS \
		--query 'User.[Username, UserStatus, Enabled]')
	expect "admin-create-user $name" "$name	FORCE_CHANGE_PASSWORD	True" "$got"
done

got=$(idp admin-get-user --user-pool-id "$pool" --username carol \
	--query 'UserAttributes[?Name==`email`].Value | [0]')
expect "admin-get-user carol: email" "carol@example.com" "$got"

# Filters: equality without case, a prefix, and a filter whose results
# span pages (--page-size 1: the CLI follows PaginationToken itself; with
# text output it applies --query to each page as it comes, hence the sort).
got=$(idp list-users --user-pool-id "$pool" --filter 'email = "BOB@example.com"' --query 'Users[].Username')
expect "list-users email =" "bob" "$got"
got=$(idp list-users --user-pool-id "$pool" --filter 'family_name ^= "smi"' --query 'length(Users)')
expect "list-users family_name ^=" "3" "$got"
got=$(idp list-users --user-pool-id "$pool" --filter 'family_name = "Smith"' --page-size 1 --query 'Users[].Username' | sort | paste -sd, -)
expect "list-users over pages of 1" "alice,bob,carol" "$got"
got=$(idp list-users --user-pool-id "$pool" --filter 'username = "dave"' --attributes-to-get email \
	--query 'Users[0].Attributes[].Name | join(`,`, @)')
expect "list-users --attributes-to-get email" "email" "$got"

# A refused filter: the CLI exits non-zero and prints Cognito's message.
if err=$(idp list-users --user-pool-id "$pool" --filter 'custom:tier = "gold"' 2>&1); then
	echo "FAIL list-users with a custom attribute filter succeeded: $err" >&2
	exit 1
fi
[[ "$err" == *InvalidParameterException*"Invalid search attribute: custom:tier"* ]] ||
	{ echo "FAIL list-users custom filter: $err" >&2; exit 1; }
echo "ok   list-users refuses custom:tier"

# A group, and a user in it.
got=$(idp create-group --user-pool-id "$pool" --group-name admins --precedence 3 \
	--role-arn arn:aws:iam::123456789012:role/admins --query 'Group.[GroupName, Precedence]')
expect "create-group" "admins	3" "$got"
idp admin-add-user-to-group --user-pool-id "$pool" --username alice --group-name admins
got=$(idp list-users-in-group --user-pool-id "$pool" --group-name admins --query 'Users[].Username')
expect "list-users-in-group" "alice" "$got"
got=$(idp admin-list-groups-for-user --user-pool-id "$pool" --username alice --query 'Groups[].[GroupName, Precedence, RoleArn]')
expect "admin-list-groups-for-user" "admins	3	arn:aws:iam::123456789012:role/admins" "$got"
idp admin-remove-user-from-group --user-pool-id "$pool" --username alice --group-name admins
got=$(idp list-users-in-group --user-pool-id "$pool" --group-name admins --query 'length(Users)')
expect "admin-remove-user-from-group" "0" "$got"

# Sign-in: a client that allows USER_PASSWORD_AUTH, a permanent password,
# initiate-auth for tokens, get-user with the access token, and refresh.
client=$(idp create-user-pool-client --user-pool-id "$pool" --client-name cli \
	--explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH --query 'UserPoolClient.ClientId')
idp admin-set-user-password --user-pool-id "$pool" --username alice --password 'Cli-Passw0rd!' --permanent
got=$(idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters 'USERNAME=alice,PASSWORD=Cli-Passw0rd!' \
	--query 'AuthenticationResult.[TokenType, ExpiresIn]')
expect "initiate-auth USER_PASSWORD_AUTH" "Bearer	3600" "$got"
tokens=$(idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters 'USERNAME=alice,PASSWORD=Cli-Passw0rd!' \
	--query 'AuthenticationResult.[AccessToken, RefreshToken]')
access=$(cut -f1 <<<"$tokens")
refresh=$(cut -f2 <<<"$tokens")
got=$(idp get-user --access-token "$access" --query 'Username')
expect "get-user with the access token" "alice" "$got"
got=$(idp initiate-auth --client-id "$client" --auth-flow REFRESH_TOKEN_AUTH \
	--auth-parameters "REFRESH_TOKEN=$refresh" --query 'AuthenticationResult.TokenType')
expect "initiate-auth REFRESH_TOKEN_AUTH" "Bearer" "$got"
if err=$(idp initiate-auth --client-id "$client" --auth-flow USER_PASSWORD_AUTH \
	--auth-parameters 'USERNAME=alice,PASSWORD=wrong' 2>&1); then
	echo "FAIL initiate-auth with a wrong password succeeded: $err" >&2
	exit 1
fi
[[ "$err" == *NotAuthorizedException*"Incorrect username or password."* ]] ||
	{ echo "FAIL initiate-auth wrong password: $err" >&2; exit 1; }
echo "ok   initiate-auth refuses a wrong password"

idp delete-user-pool --user-pool-id "$pool"
echo "PASS"
