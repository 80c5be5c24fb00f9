using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Defender.SampleApi.Tests;

/// <summary>
/// The machine routes over HTTP. The tests share one server; each one that changes a machine uses a machine no other test
/// touches (see <see cref="SeedData"/>), so the order they run in does not matter.
/// </summary>
public sealed class MachineEndpointsTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    /// <summary>Every documented Machine property, today's and 2018's, in the order the API writes them.</summary>
    internal const string DomainControllerJson =
        """{"@odata.context":"http://localhost/api/$metadata#Machines/$entity","id":"6ace1ce8889cde1a21ba53b2ad74e3582dc29d49","computerDnsName":"srv-dc-01.contoso.local","firstSeen":"2024-04-28T09:00:00Z","lastSeen":"2025-06-02T09:00:00Z","osPlatform":"WindowsServer2019","onboardingStatus":"Onboarded","osProcessor":"x64","version":"1809","osBuild":17763,"lastIpAddress":"10.0.0.10","lastExternalIpAddress":"203.0.113.110","healthStatus":"Active","rbacGroupName":"Servers","rbacGroupId":104,"riskScore":"High","exposureLevel":"Medium","isAadJoined":true,"aadDeviceId":"6ace1ce8-889c-de1a-21ba-53b2ad74e358","machineTags":["Production","DomainController"],"deviceValue":"High","ipAddresses":[{"ipAddress":"10.0.0.10","macAddress":"6ACE1CE8889C","operationalStatus":"Up"}],"osArchitecture":"64-bit","osVersion":"1809","agentVersion":"10.8210.17763.5122","isolationState":"NotIsolated"}""";

    private readonly HttpClient _admin = factory.CreateClient("dev-admin");

    [Fact]
    public async Task GetMachine_ReturnsTheMachineWithItsODataContext_WhenItExists()
    {
        var response = await _admin.GetAsync($"/api/machines/{SeedData.DomainControllerId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; odata.metadata=minimal; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(DomainControllerJson, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("srv-dc-01.contoso.local")]
    [InlineData("SRV-DC-01.contoso.local")]
    [InlineData("srv-dc-01")]
    public async Task GetMachine_FindsTheMachineByItsComputerName_AsDefenderDoes(string name)
    {
        var response = await _admin.GetAsync($"/api/machines/{name}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DomainControllerJson, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GetMachine_ReturnsResourceNotFound_WhenTheMachineDoesNotExist()
    {
        var response = await _admin.GetAsync("/api/machines/123123123");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine 123123123 was not found");
    }

    [Fact]
    public async Task ListMachines_ReturnsTheSeededFleetInODataShape_WhenNoQueryIsGiven()
    {
        var response = await _admin.GetAsync("/api/machines");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var value = document.RootElement.GetProperty("value");
        Assert.Equal(SeedData.Machines.Count, value.GetArrayLength());
        Assert.Equal(
            SeedData.Machines.Select(m => m.Id).Order(StringComparer.Ordinal),
            value.EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(["Linux", "Windows10", "Windows11", "WindowsServer2019", "WindowsServer2022", "macOS"],
            value.EnumerateArray().Select(m => m.GetProperty("osPlatform").GetString()!).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Isolate_Returns201WithTheMachineAction_WhenTheMachineCanBeIsolated()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/isolate",
            """{"Comment":"Contain incident 4711","IsolationType":"Full"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var action = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = action.RootElement;
        var id = root.GetProperty("id").GetString();
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal($"/api/machineactions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Isolate", root.GetProperty("type").GetString());
        Assert.Equal("admin@contoso.example", root.GetProperty("requestor").GetString());
        Assert.Equal("Contain incident 4711", root.GetProperty("requestorComment").GetString());
        Assert.Equal(SeedData.HealthyWindowsId, root.GetProperty("machineId").GetString());
        Assert.Equal("ws-fin-001.contoso.local", root.GetProperty("computerDnsName").GetString());

        var machine = JsonDocument.Parse(await _admin.GetStringAsync($"/api/machines/{SeedData.HealthyWindowsId}"));
        Assert.Equal("Isolated", machine.RootElement.GetProperty("isolationState").GetString());

        var stored = await _admin.GetAsync($"/api/machineactions/{id}");
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(root.GetRawText(), await stored.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"IsolationType":"Full"}""", "Parameter Comment is missing.")]
    [InlineData("""{"Comment":null}""", "Parameter Comment is missing.")]
    [InlineData("""{"comment":"wrong case","IsolationType":"Full"}""", "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.")]
    [InlineData("""{"COMMENT":"wrong case"}""", "Parameter Comment is missing. Found 'COMMENT': body parameters are case-sensitive.")]
    public async Task Isolate_ReturnsMissingRequiredParameter_WhenCommentIsMissingOrWrongCase(string body, string message)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter", message);
        var machine = JsonDocument.Parse(await _admin.GetStringAsync($"/api/machines/{SeedData.LabWindowsId}"));
        Assert.Equal("NotIsolated", machine.RootElement.GetProperty("isolationState").GetString());
    }

    [Theory]
    [InlineData("""{"Comment":"x" """, "The request body is not valid JSON at $ (line 1, column 16).")]
    [InlineData("""{"Comment":"x"} trailing""", "The request body is not valid JSON at $ (line 1, column 17).")]
    [InlineData("", "The request body is empty.")]
    [InlineData("null", "The request body is empty.")]
    [InlineData("""{"Comment":42}""", "The request body has a value of the wrong type at $.Comment.")]
    [InlineData("""["Comment"]""", "The request body has a value of the wrong type at $.")]
    public async Task Isolate_ReturnsInvalidRequestBody_WhenTheBodyIsMalformed(string body, string message)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody", message);
    }

    [Fact]
    public async Task Isolate_ReturnsInvalidRequestBody_WhenNestingExceedsTheLimit()
    {
        var body = """{"Comment":"x","IsolationType":"Full","Extra":""" + new string('[', 10_000) + new string(']', 10_000) + "}";

        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidRequestBody", "The request body is not valid JSON at $.Extra (line 1, column 110).");
    }

    [Fact]
    public async Task Isolate_Returns415InvalidRequestBody_WhenContentTypeIsNotJson()
    {
        var response = await _admin.PostRawAsync($"/api/machines/{SeedData.LabWindowsId}/isolate", """{"Comment":"x"}""", "text/plain");

        await Envelope.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "InvalidRequestBody",
            "The request body's Content-Type is not supported; send application/json.");
    }

    [Fact]
    public async Task Isolate_ReturnsInvalidInput_WhenIsolationTypeIsUnknown()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/isolate",
            """{"Comment":"x","IsolationType":"Partial"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input Partial.");
    }

    [Theory]
    [InlineData(SeedData.LinuxId, "Linux")]
    [InlineData(SeedData.MacId, "macOS")]
    public async Task Isolate_ReturnsOsPlatformNotSupported_WhenSelectiveIsolationIsAskedForANonWindowsMachine(string id, string platform)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{id}/isolate", """{"Comment":"x","IsolationType":"Selective"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "OsPlatformNotSupported",
            $"OS Platform {platform} is not supported for this action.");
    }

    [Fact]
    public async Task Isolate_ReturnsClientVersionNotSupported_WhenTheAgentIsTooOld()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LegacyAgentId}/isolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ClientVersionNotSupported",
            "Isolate is supported on client version 10.8040 and above.");
    }

    [Fact]
    public async Task Isolate_ReturnsActionAlreadyInProgress_WhenTheMachineIsAlreadyIsolated()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.IsolatedWindowsId}/isolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
    }

    [Fact]
    public async Task Isolate_ReturnsResourceNotFound_WhenTheMachineDoesNotExist()
    {
        var response = await _admin.PostJsonAsync("/api/machines/nosuch/isolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
    }

    [Fact]
    public async Task Isolate_IsolatesOnceAndAnswersTheRestInProgress_WhenRequestsRace()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/isolate", """{"Comment":"race"}""")));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }
    }

    [Fact]
    public async Task Unisolate_Returns201_WhenTheMachineIsIsolated()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.IsolatedLinuxId}/unisolate", """{"Comment":"Cleaned"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var action = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unisolate", action.RootElement.GetProperty("type").GetString());
        var machine = JsonDocument.Parse(await _admin.GetStringAsync($"/api/machines/{SeedData.IsolatedLinuxId}"));
        Assert.Equal("NotIsolated", machine.RootElement.GetProperty("isolationState").GetString());
    }

    [Fact]
    public async Task Unisolate_ReturnsDisallowedOperation_WhenTheMachineIsNotIsolated()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.DomainControllerId}/unisolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine {SeedData.DomainControllerId} is not isolated.");
    }

    [Fact]
    public async Task Unisolate_ReturnsMissingRequiredParameter_WhenCommentHasTheWrongCase()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.IsolatedWindowsId}/unisolate", """{"comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "MissingRequiredParameter",
            "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.");
    }

    [Fact]
    public async Task Unisolate_ReturnsClientVersionNotSupported_WhenTheAgentIsTooOld()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LegacyAgentId}/unisolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ClientVersionNotSupported",
            "Unisolate is supported on client version 10.8040 and above.");
    }

    [Fact]
    public async Task Unisolate_ReturnsResourceNotFound_WhenTheMachineDoesNotExist()
    {
        var response = await _admin.PostJsonAsync("/api/machines/nosuch/unisolate", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
    }

    [Fact]
    public async Task RunLiveResponse_Returns201ThenActiveRequestAlreadyExists_WhenASessionIsStillActive()
    {
        const string body = """{"Commands":[{"type":"RunScript","params":[{"key":"ScriptName","value":"collect.ps1"}]}],"Comment":"Collect logs"}""";

        var first = await _admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", body);
        var second = await _admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse", body);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var action = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal("LiveResponse", action.RootElement.GetProperty("type").GetString());
        Assert.Equal("Pending", action.RootElement.GetProperty("status").GetString());
        await Envelope.AssertAsync(second, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
    }

    [Fact]
    public async Task RunLiveResponse_StartsOneSession_WhenRequestsRace()
    {
        const string body = """{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"/var/log/syslog"}]}],"Comment":"race"}""";

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            _admin.PostJsonAsync($"/api/machines/{SeedData.InactiveMacId}/runliveresponse", body)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        }

        // A conflict is the client's 400, not a server fault: nothing but the middleware's Warning line reports it.
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error
            && e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunLiveResponse_ReturnsDisabledFeature_WhenTheTenantHasLiveResponseDisabled()
    {
        var client = factory.CreateClient("dev-nolive");

        var response = await client.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runliveresponse",
            """{"Commands":[{"type":"RunScript"}],"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.Forbidden, "DisabledFeature", "Tenant feature LiveResponse is not enabled.");
    }

    [Theory]
    [InlineData("""{"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands is missing.")]
    [InlineData("""{"commands":[{"type":"RunScript"}],"Comment":"x"}""", "MissingRequiredParameter",
        "Parameter Commands is missing. Found 'commands': body parameters are case-sensitive.")]
    [InlineData("""{"Commands":[{"type":"RunScript"}]}""", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("""{"Commands":[{"type":"RunScript"}],"Comment":null}""", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("""{"Commands":[{"params":[]}],"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands[0].type is missing.")]
    [InlineData("""{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"C:\\x"}]},null],"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands[1].type is missing.")]
    [InlineData("""{"Commands":[{"type":"RunScript"}],"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands[0].params.ScriptName is missing.")]
    [InlineData("""{"Commands":[{"type":"GetFile","params":[{"key":"path","value":"x"}]}],"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands[0].params.Path is missing.")]
    [InlineData("""{"Commands":[{"type":"PutFile","params":[{"key":"FileName","value":""}]}],"Comment":"x"}""", "MissingRequiredParameter", "Parameter Commands[0].params.FileName is missing.")]
    [InlineData("""{"Commands":[{"type":"GetFile","params":[{"key":"Path","value":"x"}]},{"type":"RunScript","params":[{"key":"ScriptName","value":"a.ps1"}]}],"Comment":"x"}""",
        "InvalidInput", "Invalid input Commands[1].type: RunScript after GetFile (the order is PutFile, RunScript, GetFile).")]
    [InlineData("""{"Commands":[{"type":"FormatDisk"}],"Comment":"x"}""", "InvalidInput", "Invalid input FormatDisk.")]
    [InlineData("""{"Commands":[],"Comment":"x"}""", "InvalidInput", "Invalid input Commands.")]
    [InlineData("""{"Commands":"RunScript","Comment":"x"}""", "InvalidRequestBody", "The request body has a value of the wrong type at $.Commands.")]
    public async Task RunLiveResponse_ReturnsTheDocumentedCode_WhenTheBodyIsWrong(string body, string code, string message)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runliveresponse", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, code, message);
    }

    [Fact]
    public async Task RunLiveResponse_ReturnsClientVersionNotSupported_WhenTheAgentIsTooOld()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LegacyAgentId}/runliveresponse",
            """{"Commands":[{"type":"RunScript","params":[{"key":"ScriptName","value":"collect.ps1"}]}],"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ClientVersionNotSupported",
            "LiveResponse is supported on client version 10.8040 and above.");
    }

    [Fact]
    public async Task GetMachineAction_ReturnsResourceNotFound_WhenTheActionDoesNotExist()
    {
        var response = await _admin.GetAsync("/api/machineactions/nosuch");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "MachineAction nosuch was not found");
    }
}
