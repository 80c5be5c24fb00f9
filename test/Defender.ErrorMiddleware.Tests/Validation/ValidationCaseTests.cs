using System.Net;

namespace Defender.ErrorMiddleware.Tests.Validation;

/// <summary>Each bad input, sent to a minimal endpoint and to both kinds of controller: the exact envelope each time.</summary>
public sealed class ValidationCaseTests : IAsyncLifetime
{
    private Microsoft.AspNetCore.Builder.WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await ValidationTestApp.StartAsync();
        _client = _app.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private const string ValidSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>POST cases: path below the surface, body, content type, status, code, message.</summary>
    public static TheoryData<string, string, string?, string, int, string, string> BodyCases()
    {
        var data = new TheoryData<string, string, string?, string, int, string, string>();
        foreach (var surface in ValidationTestApp.Surfaces)
        {
            // 1. Case-sensitive bodies and required members.
            data.Add(surface, "isolate", "{}", "application/json", 400, "MissingRequiredParameter", "Parameter Comment is missing.");
            data.Add(surface, "isolate", "{\"comment\":\"Isolate machine\"}", "application/json", 400, "MissingRequiredParameter",
                "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
            data.Add(surface, "isolate", "{\"COMMENT\":\"x\",\"IsolationType\":\"Full\"}", "application/json", 400, "MissingRequiredParameter",
                "Parameter Comment is missing. Found 'COMMENT': body parameters are case-sensitive.");
            data.Add(surface, "annotated", "{}", "application/json", 400, "MissingRequiredParameter", "Parameter Comment is missing.");
            data.Add(surface, "json-required", "{\"name\":\"x\"}", "application/json", 400, "MissingRequiredParameter",
                "Parameter Name is missing. Found 'name': body parameters are case-sensitive.");
            data.Add(surface, "ctor", "{\"Comment\":\"x\"}", "application/json", 400, "MissingRequiredParameter", "Parameter Count is missing.");
            // An explicit null for a required member that does not admit null is as missing as no member at all.
            data.Add(surface, "isolate", "{\"Comment\":null}", "application/json", 400, "MissingRequiredParameter", "Parameter Comment is missing.");
            data.Add(surface, "annotated", "{\"Comment\":null}", "application/json", 400, "MissingRequiredParameter", "Parameter Comment is missing.");
            data.Add(surface, "ctor", "{\"Comment\":null,\"Count\":1}", "application/json", 400, "MissingRequiredParameter", "Parameter Comment is missing.");
            data.Add(surface, "nested", "{\"Items\":[{\"Comment\":\"a\"},{\"comment\":\"b\"}]}", "application/json", 400, "MissingRequiredParameter",
                "Parameter Items[1].Comment is missing. Found 'comment': body parameters are case-sensitive.");

            // 2. Malformed bodies: where, never how .NET saw it.
            data.Add(surface, "isolate", "{\"Comment\":", "application/json", 400, "InvalidRequestBody", "The request body is not valid JSON at $.Comment (line 1, column 12).");
            data.Add(surface, "nested", "{\"Items\":[{\"Comment\":\"a\"},{\"Comment\":tru}]}", "application/json", 400, "InvalidRequestBody",
                "The request body is not valid JSON at $.Items[1].Comment (line 1, column 41).");
            data.Add(surface, "isolate", "{\"Comment\":\"x\"} trailing", "application/json", 400, "InvalidRequestBody", "The request body is not valid JSON at $ (line 1, column 17).");
            data.Add(surface, "isolate", "{\"Comment\":5}", "application/json", 400, "InvalidRequestBody", "The request body has a value of the wrong type at $.Comment.");
            data.Add(surface, "isolate", "[1,2]", "application/json", 400, "InvalidRequestBody", "The request body has a value of the wrong type at $.");
            data.Add(surface, "isolate", "", "application/json", 400, "InvalidRequestBody", "The request body is empty.");
            data.Add(surface, "nested", "{\"Items\":[],\"Extra\":" + new string('[', 70) + new string(']', 70) + "}", "application/json", 400, "InvalidRequestBody",
                // The limit is the framework's: 64 for minimal APIs, 32 for MVC; the path is the member whose value nests too deep.
                surface == "minimal" ? "The request body is not valid JSON at $.Extra (line 1, column 84)." : "The request body is not valid JSON at $.Extra (line 1, column 52).");
            data.Add(surface, "isolate", "{\"Comment\":\"x\"}", "text/plain", 415, "InvalidRequestBody",
                "The request body's Content-Type is not supported; send application/json.");

            // 4. Attributes for the documented codes.
            data.Add(surface, "indicator", "{\"Sha256\":\"abc123\"}", "application/json", 400, "InvalidHashValue", "Hash value abc123 is invalid.");
            data.Add(surface, "indicator", "{\"Domain\":\"bad..example\"}", "application/json", 400, "InvalidDomainName", "Domain name bad..example is invalid.");
            data.Add(surface, "indicator", "{\"Ip\":\"010.1.1.1\"}", "application/json", 400, "InvalidIpAddress", "IP address 010.1.1.1 is invalid.");
            data.Add(surface, "indicator", "{\"Url\":\"htp:/example\"}", "application/json", 400, "InvalidUrl", "URL htp:/example is invalid.");
            data.Add(surface, "indicator", "{\"Machines\":[\"a\",\"b\",\"c\",\"d\"]}", "application/json", 400, "MaximumBatchSizeExceeded",
                "Maximum batch size exceeded. Received: 4, allowed: 3.");
            data.Add(surface, "indicator", "{\"Count\":50}", "application/json", 400, "InvalidInput", "Invalid input Count: 50 is not between 1 and 10.");
            // The documented template names the member by its JSON name ([JsonPropertyName]) and says what is wrong.
            data.Add(surface, "ticket", "{\"Priority\":99}", "application/json", 400, "InvalidInput", "Invalid input Priority: 99 is not between 1 and 10.");
            data.Add(surface, "ticket", "{\"Priority\":1,\"machineTag\":\"lab-12\"}", "application/json", 400, "InvalidInput",
                "Invalid input machineTag: longer than 5 characters.");
            // An application's attribute that implements IDefenderErrorCodeSource answers its own code.
            data.Add(surface, "ticket", "{\"Priority\":1,\"Checksum\":\"xyz\"}", "application/json", 400, "InvalidHashValue", "Hash value xyz is invalid.");
            data.Add(surface, "cross", "{\"IndicatorType\":\"IpAddress\",\"IndicatorValue\":\"1\"}", "application/json", 400, "InvalidIpAddress",
                "IP address 1 is invalid.");
            data.Add(surface, "cross", "{\"IndicatorType\":\"FileSha1\",\"IndicatorValue\":\"" + ValidSha256 + "\"}", "application/json", 400, "InvalidHashValue",
                "Hash value " + ValidSha256 + " is invalid.");

            // 5. One error per response: declaration order (Sha256 before Ip before Count).
            data.Add(surface, "indicator", "{\"Count\":0,\"Ip\":\"1.2.3\",\"Sha256\":\"zz\"}", "application/json", 400, "InvalidHashValue", "Hash value zz is invalid.");
            // ...in the order the binder reads: a wrong value before the end of its object, where a missing member shows.
            data.Add(surface, "isolate", "{\"IsolationType\":5}", "application/json", 400, "InvalidRequestBody", "The request body has a value of the wrong type at $.IsolationType.");

            // 6. Echoed values are cut and escaped.
            data.Add(surface, "indicator", "{\"Ip\":\"1.2.3.4\\n" + new string('9', 200) + "\"}", "application/json", 400, "InvalidIpAddress",
                "IP address 1.2.3.4\\n" + new string('9', 120) + "… is invalid.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BodyCases))]
    public async Task Post_AnswersDocumentedEnvelope_ForBadBody(string surface, string action, string? body, string contentType, int status, string code, string message)
    {
        using var response = await _client.SendAsync(ValidationTestApp.Post($"/{surface}/{action}", body, contentType));
        await ValidationTestApp.AssertEnvelopeAsync(response, (HttpStatusCode)status, code, message);
    }

    public static TheoryData<string, string, int, string, string> QueryCases()
    {
        var data = new TheoryData<string, string, int, string, string>();
        foreach (var surface in ValidationTestApp.Surfaces)
        {
            // 3. Route and query values.
            data.Add(surface, "items/abc", 400, "InvalidInput", "Invalid input abc.");
            data.Add(surface, "machines/abc", 404, "NotFound", "General Not Found error message.");
            data.Add(surface, "search?top=abc", 400, "InvalidInput", "Invalid input abc.");
            data.Add(surface, "search?top=1&severity=Bogus", 400, "InvalidInput", "Invalid input Bogus.");
            data.Add(surface, "search", 400, "MissingRequiredParameter", "Parameter top is missing.");
            data.Add(surface, "search?top=1&ip=1", 400, "InvalidIpAddress", "IP address 1 is invalid.");
            data.Add(surface, "page?page=50", 400, "InvalidInput", "Invalid input page: 50 is not between 1 and 10.");
            data.Add(surface, "page?page=1&checksum=xyz", 400, "InvalidHashValue", "Hash value xyz is invalid.");
            if (surface != "minimal")
            {
                // AddValidation() validates no null argument: see Get_LeavesNullableRequiredQueryValue_ToTheFramework_OnMinimalApis.
                data.Add(surface, "named", 400, "MissingRequiredParameter", "Parameter name is missing.");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(QueryCases))]
    public async Task Get_AnswersDocumentedEnvelope_ForBadRouteOrQueryValue(string surface, string pathAndQuery, int status, string code, string message)
    {
        using var response = await _client.GetAsync($"/{surface}/{pathAndQuery}");
        await ValidationTestApp.AssertEnvelopeAsync(response, (HttpStatusCode)status, code, message);
    }

    public static TheoryData<string, string, string> ValidCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var surface in ValidationTestApp.Surfaces)
        {
            data.Add(surface, "isolate", "{\"Comment\":\"Isolate machine\",\"Unknown\":1}");
            data.Add(surface, "ctor", "{\"Comment\":\"x\",\"Count\":0}");
            data.Add(surface, "nested", "{\"Items\":[{\"Comment\":\"a\"}],\"Extra\":{\"deep\":[1,2,{\"x\":null}]}}");
            data.Add(surface, "indicator", "{\"Sha256\":\"" + ValidSha256 + "\",\"Domain\":\"bücher.example\",\"Ip\":\"2001:db8::1\",\"Url\":\"https://contoso.com/a?b=c\",\"Machines\":[\"a\"],\"Count\":3}");
            data.Add(surface, "cross", "{\"IndicatorType\":\"DomainName\",\"IndicatorValue\":\"contoso.com\"}");
            data.Add(surface, "ticket", "{\"Priority\":10,\"machineTag\":\"lab-1\",\"Checksum\":\"0a1B2c3D\"}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public async Task Post_Succeeds_ForValidBody(string surface, string action, string body)
    {
        using var response = await _client.SendAsync(ValidationTestApp.Post($"/{surface}/{action}", body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{surface}/{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("api-controller")]
    [InlineData("controller")]
    public async Task Post_DoesNotBindWrongCaseMember_WhenOptionalMemberDiffersInCase(string surface)
    {
        // "isolationType" must not fill IsolationType: the answer echoes only Comment, and binding succeeds.
        using var response = await _client.SendAsync(ValidationTestApp.Post($"/{surface}/isolate", "{\"Comment\":\"c\",\"isolationType\":\"Full\"}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"Comment\":\"c\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_LeavesNullableRequiredQueryValue_ToTheFramework_OnMinimalApis()
    {
        // .NET 10's validation skips null arguments, so [Required] on a nullable parameter checks nothing there (documented in
        // docs/validation.md); a non-nullable parameter is the binder's MissingRequiredParameter ("search" without "top").
        using var response = await _client.GetAsync("/minimal/named");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
