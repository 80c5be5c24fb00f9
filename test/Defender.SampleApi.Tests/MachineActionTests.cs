using System.Globalization;
using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Endpoints;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// The machine-action family over HTTP on a clock the test moves: each action's documented body, its 201 MachineAction, the
/// documented errors, the Pending → Succeeded life of an action, cancelling, and live response results. Tests that change a
/// machine use a machine no other test here touches.
/// </summary>
public sealed class MachineActionTests(MachineActionTests.Factory factory) : IClassFixture<MachineActionTests.Factory>
{
    private readonly HttpClient _admin = factory.CreateClient("dev-admin");

    public sealed class Factory() : FakeTimeSampleApiFactory(new Dictionary<string, string>
    {
        ["SampleApi:RateLimits:Enabled"] = "false",
        ["SampleApi:Tokens:dev-scanner:Name"] = "scanner@contoso.example",
        ["SampleApi:Tokens:dev-scanner:Tenant"] = "contoso",
        ["SampleApi:Tokens:dev-scanner:Permissions:0"] = "Machine.Scan",
        ["SampleApi:Tokens:dev-delegated:Name"] = "delegated@contoso.example",
        ["SampleApi:Tokens:dev-delegated:Tenant"] = "contoso",
        ["SampleApi:Tokens:dev-delegated:Permissions:0"] = "Machine.ReadWrite",
    });

    [Fact]
    public async Task Isolate_Returns201WithTheDocumentedMachineAction_AndTheActionCanBeReadBack()
    {
        var created = factory.Time.GetUtcNow();
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.HealthyWindowsId}/isolate",
            """{"Comment":"Isolate machine due to alert 1234","IsolationType":"Selective"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var id = IdOf(body);
        Assert.Equal($"/api/machineactions/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(
            $$"""{"@odata.context":"http://localhost/api/$metadata#MachineActions/$entity","id":"{{id}}","type":"Isolate","scope":"Selective","requestor":"admin@contoso.example","externalID":null,"requestSource":"admin@contoso.example","commands":[],"cancellationRequestor":null,"requestorComment":"Isolate machine due to alert 1234","cancellationComment":null,"status":"Pending","machineId":"{{SeedData.HealthyWindowsId}}","computerDnsName":"ws-fin-001.contoso.local","creationDateTimeUtc":"{{Utc(created)}}","cancellationDateTimeUtc":null,"lastUpdateDateTimeUtc":"{{Utc(created)}}","title":null,"relatedFileInfo":null,"errorHResult":0}""",
            body);
        Assert.Equal(body, await _admin.GetStringAsync($"/api/machineactions/{id}"));
        Assert.Equal("Isolated", await IsolationOfAsync(SeedData.HealthyWindowsId));
    }

    [Theory]
    [InlineData("runAntiVirusScan", """{"Comment":"Check machine for viruses due to alert 3212","ScanType":"Full"}""", "RunAntiVirusScan", "Full")]
    [InlineData("restrictCodeExecution", """{"Comment":"Restrict code execution due to alert 1234"}""", "RestrictCodeExecution", null)]
    [InlineData("collectInvestigationPackage", """{"Comment":"Collect forensics due to alert 1234"}""", "CollectInvestigationPackage", null)]
    [InlineData("offboard", """{"Comment":"Offboard machine by automation"}""", "Offboard", null)]
    [InlineData("runliveresponse", RateLimitTests.Script, "LiveResponse", null)]
    public async Task Action_Returns201WithAPendingMachineAction_WhenTheDeviceSupportsIt(string route, string body, string type, string? scope)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.ResponderWindowsId}/{route}", body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var action = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = action.RootElement;
        Assert.Equal(type, root.GetProperty("type").GetString());
        Assert.Equal(scope, root.GetProperty("scope").GetString());
        Assert.Equal("Pending", root.GetProperty("status").GetString());
        Assert.Equal(SeedData.ResponderWindowsId, root.GetProperty("machineId").GetString());
        Assert.Equal(JsonDocument.Parse(body).RootElement.GetProperty("Comment").GetString(), root.GetProperty("requestorComment").GetString());
    }

    [Fact]
    public async Task RunLiveResponse_ReturnsTheCommandsAsDefenderDoes_WhenTheSessionStarts()
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LiveResponseWindowsId}/runliveresponse",
            """{"Commands":[{"type":"RunScript","params":[{"key":"ScriptName","value":"minidump.ps1"},{"key":"Args","value":"OfficeClickToRun"}]},{"type":"GetFile","params":[{"key":"Path","value":"C:\\windows\\TEMP\\OfficeClickToRun.dmp.zip"}]}],"Comment":"Testing Live Response API"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var action = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(
            """[{"index":0,"startTime":null,"endTime":null,"commandStatus":"Created","errors":[],"command":{"type":"RunScript","params":[{"key":"ScriptName","value":"minidump.ps1"},{"key":"Args","value":"OfficeClickToRun"}]}},{"index":1,"startTime":null,"endTime":null,"commandStatus":"Created","errors":[],"command":{"type":"GetFile","params":[{"key":"Path","value":"C:\\windows\\TEMP\\OfficeClickToRun.dmp.zip"}]}}]""",
            action.RootElement.GetProperty("commands").GetRawText());
    }

    [Fact]
    public async Task RepeatedAction_ReturnsActionAlreadyInProgress_UntilTheDeviceFinishesTheFirst()
    {
        const string scan = """{"Comment":"scan","ScanType":"Quick"}""";
        var first = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runAntiVirusScan", scan);
        var id = IdOf(await first.Content.ReadAsStringAsync());

        var repeated = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runAntiVirusScan", scan);
        factory.Time.Advance(TimeSpan.FromSeconds(30));
        var afterwards = await _admin.PostJsonAsync($"/api/machines/{SeedData.LabWindowsId}/runAntiVirusScan", scan);
        using var finished = JsonDocument.Parse(await _admin.GetStringAsync($"/api/machineactions/{id}"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await Envelope.AssertAsync(repeated, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        Assert.Equal(HttpStatusCode.Created, afterwards.StatusCode);
        Assert.Equal("Succeeded", finished.RootElement.GetProperty("status").GetString());
        Assert.Equal(
            finished.RootElement.GetProperty("creationDateTimeUtc").GetDateTimeOffset().AddSeconds(30),
            finished.RootElement.GetProperty("lastUpdateDateTimeUtc").GetDateTimeOffset());
    }

    [Theory]
    [InlineData(SeedData.MacId, "isolate", """{"Comment":"x","IsolationType":"Full"}""", "macOS")]
    [InlineData(SeedData.LinuxId, "isolate", """{"Comment":"x","IsolationType":"Selective"}""", "Linux")]
    [InlineData(SeedData.DomainControllerId, "isolate", """{"Comment":"x","IsolationType":"Selective"}""", "WindowsServer2019")]
    [InlineData(SeedData.LinuxId, "runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""", "Linux")]
    [InlineData(SeedData.DomainControllerId, "runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""", "WindowsServer2019")]
    [InlineData(SeedData.MacId, "restrictCodeExecution", """{"Comment":"x"}""", "macOS")]
    [InlineData(SeedData.LinuxId, "unrestrictCodeExecution", """{"Comment":"x"}""", "Linux")]
    [InlineData(SeedData.MacId, "offboard", """{"Comment":"x"}""", "macOS")]
    [InlineData(SeedData.LinuxId, "offboard", """{"Comment":"x"}""", "Linux")]
    public async Task Action_ReturnsOsPlatformNotSupported_WhenDefenderDocumentsNoSupportForThePlatform(string machine, string route, string body, string platform)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{machine}/{route}", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "OsPlatformNotSupported", $"OS Platform {platform} is not supported for this action.");
    }

    [Theory]
    [InlineData("runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""", "RunAntiVirusScan")]
    [InlineData("restrictCodeExecution", """{"Comment":"x"}""", "RestrictCodeExecution")]
    [InlineData("collectInvestigationPackage", """{"Comment":"x"}""", "CollectInvestigationPackage")]
    [InlineData("offboard", """{"Comment":"x"}""", "Offboard")]
    public async Task Action_ReturnsClientVersionNotSupported_WhenTheSensorIsTooOld(string route, string body, string type)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.LegacyAgentId}/{route}", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "ClientVersionNotSupported", $"{type} is supported on client version 10.8040 and above.");
    }

    [Theory]
    [InlineData("runAntiVirusScan", """{"Comment":"x"}""", "MissingRequiredParameter", "Parameter ScanType is missing.")]
    [InlineData("runAntiVirusScan", """{"Comment":"x","scanType":"Quick"}""", "MissingRequiredParameter", "Parameter ScanType is missing. Found 'scanType': body parameters are case-sensitive.")]
    [InlineData("runAntiVirusScan", """{"ScanType":"Quick"}""", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("runAntiVirusScan", """{"Comment":"x","ScanType":"Deep"}""", "InvalidInput", "Invalid input Deep.")]
    [InlineData("restrictCodeExecution", """{"comment":"x"}""", "MissingRequiredParameter", "Parameter Comment is missing. Found 'comment': body parameters are case-sensitive.")]
    [InlineData("collectInvestigationPackage", "{}", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("offboard", """{"Comment":null}""", "MissingRequiredParameter", "Parameter Comment is missing.")]
    [InlineData("isolate", """{"Comment":"x","IsolationType":"full"}""", "InvalidInput", "Invalid input full.")]
    public async Task Action_ReturnsTheDocumentedCode_WhenTheBodyIsWrong(string route, string body, string code, string message)
    {
        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.ResponderWindowsId}/{route}", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, code, message);
    }

    [Theory]
    [InlineData("isolate")]
    [InlineData("runAntiVirusScan")]
    [InlineData("collectInvestigationPackage")]
    public async Task Action_ReturnsInvalidInput_WhenTheCommentIsLongerThanItsLimit(string route)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["Comment"] = new('c', FieldLimits.Comment + 1), ["ScanType"] = "Quick" });

        var response = await _admin.PostJsonAsync($"/api/machines/{SeedData.ResponderWindowsId}/{route}", body);

        await Envelope.AssertAsync(response, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input Comment: longer than 1000 characters.");
    }

    [Fact]
    public async Task Action_ReturnsResourceNotFound_WhenTheMachineDoesNotExist()
    {
        var response = await _admin.PostJsonAsync("/api/machines/nosuch/runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "Machine nosuch was not found");
    }

    [Fact]
    public async Task Isolate_ContainsAnUnmanagedDevice_WhenIsolationTypeIsUnManagedDevice()
    {
        var full = await _admin.PostJsonAsync($"/api/machines/{SeedData.UnmanagedDeviceId}/isolate", """{"Comment":"x","IsolationType":"Full"}""");
        var scan = await _admin.PostJsonAsync($"/api/machines/{SeedData.UnmanagedDeviceId}/runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""");
        var contain = await _admin.PostJsonAsync($"/api/machines/{SeedData.UnmanagedDeviceId}/isolate", """{"Comment":"Contain","IsolationType":"UnManagedDevice"}""");
        var onManaged = await _admin.PostJsonAsync($"/api/machines/{SeedData.DomainControllerId}/isolate", """{"Comment":"x","IsolationType":"UnManagedDevice"}""");

        await Envelope.AssertAsync(full, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine {SeedData.UnmanagedDeviceId} is not onboarded (CanBeOnboarded); Isolate needs the sensor.");
        await Envelope.AssertAsync(scan, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine {SeedData.UnmanagedDeviceId} is not onboarded (CanBeOnboarded); RunAntiVirusScan needs the sensor.");
        Assert.Equal(HttpStatusCode.Created, contain.StatusCode);
        using var action = JsonDocument.Parse(await contain.Content.ReadAsStringAsync());
        Assert.Equal("UnManagedDevice", action.RootElement.GetProperty("scope").GetString());
        Assert.Equal("Isolated", await IsolationOfAsync(SeedData.UnmanagedDeviceId));
        await Envelope.AssertAsync(onManaged, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine {SeedData.DomainControllerId} is onboarded; IsolationType UnManagedDevice is for devices without the sensor.");
    }

    [Fact]
    public async Task RestrictCodeExecution_IsInProgressUntilUnrestricted_AndUnrestrictNeedsARestriction()
    {
        var unrestrictFirst = await _admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/unrestrictCodeExecution", """{"Comment":"x"}""");
        var restrict = await _admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/restrictCodeExecution", """{"Comment":"x"}""");
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var restrictAgain = await _admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/restrictCodeExecution", """{"Comment":"x"}""");
        var unrestrict = await _admin.PostJsonAsync($"/api/machines/{SeedData.SalesWindowsId}/unrestrictCodeExecution", """{"Comment":"x"}""");

        await Envelope.AssertAsync(unrestrictFirst, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine {SeedData.SalesWindowsId} has no application restriction.");
        Assert.Equal(HttpStatusCode.Created, restrict.StatusCode);
        await Envelope.AssertAsync(restrictAgain, HttpStatusCode.BadRequest, "ActiveRequestAlreadyExists", "Action is already in progress");
        Assert.Equal(HttpStatusCode.Created, unrestrict.StatusCode);
    }

    [Fact]
    public async Task Cancel_Returns200WithTheCancelledAction_AndPutsAnIsolatedMachineBack()
    {
        var isolate = await _admin.PostJsonAsync($"/api/machines/{SeedData.WebServerId}/isolate", """{"Comment":"x"}""");
        var id = IdOf(await isolate.Content.ReadAsStringAsync());
        factory.Time.Advance(TimeSpan.FromSeconds(5));
        var at = factory.Time.GetUtcNow();

        var cancel = await factory.CreateClient("dev-scanner").PostJsonAsync($"/api/machineactions/{id}/cancel",
            """{"Comment":"Machine action was canceled by automation"}""");
        var again = await _admin.PostJsonAsync($"/api/machineactions/{id}/cancel", """{"Comment":"again"}""");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        using var action = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync());
        var root = action.RootElement;
        Assert.Equal("Cancelled", root.GetProperty("status").GetString());
        Assert.Equal("scanner@contoso.example", root.GetProperty("cancellationRequestor").GetString());
        Assert.Equal("Machine action was canceled by automation", root.GetProperty("cancellationComment").GetString());
        Assert.Equal(Utc(at), root.GetProperty("cancellationDateTimeUtc").GetString());
        Assert.Equal("NotIsolated", await IsolationOfAsync(SeedData.WebServerId));
        await Envelope.AssertAsync(again, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine action {id} is Cancelled: only a Pending or InProgress action can be cancelled.");
    }

    [Fact]
    public async Task Cancel_ReturnsDisallowedOperation_WhenTheActionHasSucceeded()
    {
        var collect = await _admin.PostJsonAsync($"/api/machines/{SeedData.IsolatedWindowsId}/collectInvestigationPackage", """{"Comment":"x"}""");
        var id = IdOf(await collect.Content.ReadAsStringAsync());
        factory.Time.Advance(TimeSpan.FromSeconds(31));

        var cancel = await _admin.PostJsonAsync($"/api/machineactions/{id}/cancel", """{}""");

        await Envelope.AssertAsync(cancel, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine action {id} is Succeeded: only a Pending or InProgress action can be cancelled.");
    }

    [Fact]
    public async Task Cancel_ReturnsResourceNotFound_WhenTheActionDoesNotExist()
    {
        var response = await _admin.PostJsonAsync("/api/machineactions/nosuch/cancel", """{"Comment":"x"}""");

        await Envelope.AssertAsync(response, HttpStatusCode.NotFound, "ResourceNotFound", "MachineAction nosuch was not found");
    }

    [Fact]
    public async Task LiveResponseResult_GivesASignedLinkThatServesTheResult_OnceTheSessionHasSucceeded()
    {
        var start = await _admin.PostJsonAsync($"/api/machines/{SeedData.InactiveMacId}/runliveresponse",
            """{"Commands":[{"type":"PutFile","params":[{"key":"FileName","value":"tool.sh"}]},{"type":"RunScript","params":[{"key":"ScriptName","value":"minidump.sh"},{"key":"Args","value":"Office"}]},{"type":"GetFile","params":[{"key":"Path","value":"/tmp/dump.zip"}]}],"Comment":"x"}""");
        var id = IdOf(await start.Content.ReadAsStringAsync());
        var early = await _admin.GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=1)");
        factory.Time.Advance(TimeSpan.FromSeconds(30));

        var linkResponse = await _admin.GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=1)");
        var putFile = await _admin.GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)");
        var outOfRange = await _admin.GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=3)");
        var notANumber = await _admin.GetAsync($"/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=x)");

        await Envelope.AssertAsync(early, HttpStatusCode.Forbidden, "DisallowedOperation",
            $"Machine action {id} is Pending: results are available once it has succeeded.");
        Assert.Equal(HttpStatusCode.OK, linkResponse.StatusCode);
        using var link = JsonDocument.Parse(await linkResponse.Content.ReadAsStringAsync());
        Assert.Equal("http://localhost/api/$metadata#Edm.String", link.RootElement.GetProperty("@odata.context").GetString());
        var url = link.RootElement.GetProperty("value").GetString()!;
        Assert.StartsWith($"http://localhost/api/liveresponseresults/{id}/1?se=", url, StringComparison.Ordinal);
        await Envelope.AssertAsync(putFile, HttpStatusCode.NotFound, "ResourceNotFound", $"Command result 0 of machine action {id} was not found");
        await Envelope.AssertAsync(outOfRange, HttpStatusCode.NotFound, "ResourceNotFound", $"Command 3 of machine action {id} was not found");
        await Envelope.AssertAsync(notANumber, HttpStatusCode.BadRequest, "InvalidInput", "Invalid input x.");

        // The link needs no token; it is the permission, until it expires.
        var anonymous = factory.CreateClient(token: null);
        var transcript = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, transcript.StatusCode);
        Assert.Equal(
            """{"script_name":"minidump.sh","exit_code":0,"script_output":"Transcript started (simulated by the Defender sample API) for minidump.sh Office","script_errors":""}""",
            await transcript.Content.ReadAsStringAsync());
        var tampered = await anonymous.GetAsync(url.Replace("/1?", "/2?", StringComparison.Ordinal));
        await Envelope.AssertAsync(tampered, HttpStatusCode.Forbidden, "Forbidden", "The link is not valid; ask GetLiveResponseResultDownloadLink for a new one.");
        factory.Time.Advance(TimeSpan.FromMinutes(31));
        var expired = await anonymous.GetAsync(url);
        await Envelope.AssertAsync(expired, HttpStatusCode.Forbidden, "Forbidden", "The link has expired; ask GetLiveResponseResultDownloadLink for a new one.");
    }

    [Fact]
    public async Task FindByTag_ReturnsTheMachinesWithTheTag_ExactlyOrByPrefix()
    {
        var exact = await _admin.GetAsync("/api/machines/findbytag?tag=Production");
        var prefix = await _admin.GetAsync("/api/machines/findbytag?tag=Prod&useStartsWithFilter=true");
        var partial = await _admin.GetAsync("/api/machines/findbytag?tag=Prod");

        string[] production = [SeedData.DomainControllerId, SeedData.IsolatedLinuxId, SeedData.WebServerId];
        Assert.Equal(production.Order(StringComparer.Ordinal), await IdsAsync(exact));
        Assert.Equal(production.Order(StringComparer.Ordinal), await IdsAsync(prefix));
        Assert.Empty(await IdsAsync(partial));
        Assert.StartsWith("""{"@odata.context":"http://localhost/api/$metadata#Machines","value":[""", await exact.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/machines/findbytag", "MissingRequiredParameter", "Parameter tag is missing.")]
    [InlineData("/api/machines/findbytag?tag=", "MissingRequiredParameter", "Parameter tag is missing.")]
    [InlineData("/api/machines/findbytag?tag=Lab&useStartsWithFilter=maybe", "InvalidInput", "Invalid input maybe.")]
    public async Task FindByTag_ReturnsTheDocumentedCode_WhenTheQueryIsWrong(string path, string code, string message)
    {
        await Envelope.AssertAsync(await _admin.GetAsync(path), HttpStatusCode.BadRequest, code, message);
    }

    [Fact]
    public async Task Routes_AdmitAnyDocumentedPermission_AndRefuseTheOthers()
    {
        var scanner = factory.CreateClient("dev-scanner");
        var delegated = factory.CreateClient("dev-delegated");

        var scan = await scanner.PostJsonAsync($"/api/machines/{SeedData.DomainControllerId}/runAntiVirusScan", """{"Comment":"x","ScanType":"Quick"}""");
        var isolate = await scanner.PostJsonAsync($"/api/machines/{SeedData.DomainControllerId}/isolate", """{"Comment":"x"}""");
        var read = await scanner.GetAsync($"/api/machines/{SeedData.DomainControllerId}");
        var delegatedRead = await delegated.GetAsync($"/api/machines/{SeedData.DomainControllerId}");
        var delegatedList = await delegated.GetAsync("/api/machines?$top=1");

        // The scanner may scan (the server is not a supported platform, which proves the call got past authorization).
        await Envelope.AssertAsync(scan, HttpStatusCode.BadRequest, "OsPlatformNotSupported", "OS Platform WindowsServer2019 is not supported for this action.");
        await Envelope.AssertAsync(isolate, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
        await Envelope.AssertAsync(read, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
        Assert.Equal(HttpStatusCode.OK, delegatedRead.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delegatedList.StatusCode);
    }

    [Theory]
    [InlineData("1703", 1703)]
    [InlineData("1709", 1709)]
    [InlineData("20H2", 2009)]
    [InlineData("22H2", 2209)]
    [InlineData("something", int.MaxValue)]
    public void WindowsVersion_OrdersDefendersVersionNames(string version, int expected) =>
        Assert.Equal(expected, DevicePlatforms.WindowsVersion(version));

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string IdOf(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<IReadOnlyList<string>> IdsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. document.RootElement.GetProperty("value").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
    }

    private async Task<string?> IsolationOfAsync(string machine)
    {
        using var document = JsonDocument.Parse(await _admin.GetStringAsync($"/api/machines/{machine}"));
        return document.RootElement.GetProperty("isolationState").GetString();
    }
}
