"""The Lockt spec's Python code examples, as a client would copy them: the same headers, the same
json.dumps bodies, options as strings, requests.delete with data=. Only the host changes (and the ids,
which must name records that exist). Prints one line per example and a closing 'N passed, N failed'."""
import json
import os
import sys

import requests

apiuser = os.environ["APIUSER"]
apikey = os.environ["APIKEY"]
host = os.environ["HOST"]  # e.g. localhost:8443, in place of cloudapi.lockt.com

headers = {"Content-type": "application/json", "apiuser": apiuser, "apikey": apikey}
passed = 0
failed = 0


def check(name, r, status=200):
    global passed, failed
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code == status and body is not None:
        passed += 1
        print("ok", name)
    else:
        failed += 1
        print("FAILED", name, r.status_code, r.text[:300])
    return body


# /about
url = "https://" + host + "/api/v1/about"
r = requests.get(url, headers=headers)
data = check("GET /about", r)

# POST /door, as the spec's example (options as strings)
url = "https://" + host + "/api/v1/door"
doornode = {}
doordata = [{} for i in range(2)]
doordata[0] = {'name': 'Door 1'}
doordata[1] = {'name': 'Door 2'}
doornode['doors'] = doordata
doornode['options'] = {'validate_fails_batch': 'true'}
doorjson = json.dumps(doornode)
r = requests.post(url, data=doorjson, headers=headers)
data = check("POST /door", r)

# The same again: the spec's error example ("Door Name Already Exists: Door 1")
r = requests.post(url, data=doorjson, headers=headers)
data = check("POST /door duplicate", r, 400)
if data is not None and data["errors"][0]["error"] != ["Door Name Already Exists: Door 1"]:
    failed += 1
    print("FAILED duplicate message", data)

# GET /door
url = "https://" + host + "/api/v1/door"
r = requests.get(url, headers=headers)
data = check("GET /door", r)
door_ids = [d["id"] for d in data["data"]]

# GET /schedule (none yet), then an access level needs one: create it through the extension
url = "https://" + host + "/api/v1/schedule"
r = requests.post(url, data=json.dumps({"schedules": [{"name": "0800-1700 M-F", "d0": 1, "d1": 1, "d2": 1, "d3": 1, "d4": 1, "d5": 0, "d6": 0, "start": "08:00:00", "stop": "16:59:59"}]}), headers=headers)
check("POST /schedule (extension)", r)
r = requests.get(url, headers=headers)
schedule_id = check("GET /schedule", r)["data"][0]["id"]

# POST /accesslevel, as the spec's example builds it
url = "https://" + host + "/api/v1/accesslevel"
accesslevelnode = {}
accessleveldata = [{} for i in range(2)]
doordata = [{} for i in range(1)]
doordata[0] = {'id': door_ids[0], 'schedule_id': schedule_id}
accessleveldata[0] = {'name': 'Access Level 1', 'doors': doordata}
doordata = [{} for i in range(2)]
doordata[0] = {'id': door_ids[1], 'schedule_id': schedule_id}
doordata[1] = {'id': door_ids[0], 'schedule_id': schedule_id}
accessleveldata[1] = {'name': 'Access Level 2', 'doors': doordata}
accesslevelnode['accesslevels'] = accessleveldata
accesslevelnode['options'] = {'validate_fails_batch': 'true'}
r = requests.post(url, data=json.dumps(accesslevelnode), headers=headers)
check("POST /accesslevel", r)

# GET /accesslevel?name=
name = 'Access Level 1'
url = "https://" + host + "/api/v1/accesslevel?name=" + name
r = requests.get(url, headers=headers)
level_id = check("GET /accesslevel?name=", r)["data"][0]["id"]

# POST /user, insert (id -1), strings for booleans and options
url = 'https://' + host + '/api/v1/user'
usernode = {}
userdata = [{} for i in range(2)]
userdata[0] = {'id': -1, 'id_num': 'ABC123', 'last_name': 'Peters', 'first_name': 'Toby', 'card_num': '5588', 'credential_key': '', 'email': 'toby.peters@web.place', 'phone': '33344455555', 'pin': '1234', 'access_effective': '', 'access_expires': '', 'enabled': 'true', 'accesslevels': [{'id': level_id}]}
userdata[1] = {'id': -1, 'id_num': 'DEF567', 'last_name': 'Wilson', 'first_name': 'Dana', 'card_num': '9900', 'credential_key': '', 'email': 'dana.wilson@web.place', 'phone': '33344455555', 'pin': '4567', 'access_effective': '', 'access_expires': '', 'enabled': 'true'}
usernode['users'] = userdata
usernode['options'] = {'update_existing': 'true', 'validate_fails_batch': 'true', 'replace_privileges': 'true'}
userjson = json.dumps(usernode)
r = requests.post(url, data=userjson, headers=headers)
data = check("POST /user", r)

# GET /user?id= and the user's doors
url = "https://" + host + "/api/v1/user"
r = requests.get(url, headers=headers)
users = check("GET /user", r)["data"]
toby = [u for u in users if u["last_name"] == "Peters"][0]
id = toby["id"]
url = "https://" + host + "/api/v1/user?id=" + str(id)
r = requests.get(url, headers=headers)
check("GET /user?id=", r)
user_id = id
url = "https://" + host + "/api/v1/door?user_id=" + str(user_id)
r = requests.get(url, headers=headers)
check("GET /door?user_id=", r)

# PUT /user, the selective update example
url = 'https://' + host + '/api/v1/user'
usernode = {}
userdata = [{} for i in range(1)]
userdata[0] = {'id': id, 'card_num': '5588'}
usernode['users'] = userdata
usernode['options'] = {'validate_fails_batch': 'true', 'replace_privileges': 'true'}
r = requests.put(url, data=json.dumps(usernode), headers=headers)
check("PUT /user", r)

# GET /credential?card_num=
card_num = 5588
url = "https://" + host + "/api/v1/credential?card_num=" + str(card_num)
r = requests.get(url, headers=headers)
check("GET /credential?card_num=", r)

# POST /fob, as the example (empty dates)
url = 'https://' + host + '/api/v1/fob'
fobnode = {}
fobdata = [{} for i in range(1)]
fobdata[0] = {'name': 'Fob 1', 'id_num': 'ABC123', 'card_num': '5599', 'access_effective': '', 'access_expires': ''}
fobnode['fobs'] = fobdata
r = requests.post(url, data=json.dumps(fobnode), headers=headers)
check("POST /fob", r)

# POST /delegate?purge, with no body, as the example
url = "https://" + host + "/api/v1/delegates?purge"
r = requests.post(url, headers=headers)
check("POST /delegates?purge", r)

# GET /events
url = "https://" + host + "/api/v1/events"
r = requests.get(url, headers=headers)
check("GET /events", r)

# DELETE /user, the example's style (requests.delete with data=), with the cloudadpi-style /v1 path
url = 'https://' + host + '/v1/user/'
usernode = {}
userdata = [{} for i in range(1)]
userdata[0] = {'id': id}
usernode['users'] = userdata
usernode['options'] = {'validate_fails_batch': 'true'}
r = requests.delete(url, data=json.dumps(usernode), headers=headers)
check("DELETE /v1/user/", r)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
