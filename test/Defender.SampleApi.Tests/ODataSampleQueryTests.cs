using System.Net;
using System.Text.Json;
using Defender.SampleApi.Data;
using Defender.SampleApi.Tests.Infrastructure;

namespace Defender.SampleApi.Tests;

/// <summary>
/// The example queries of Defender's documentation ("OData queries with Microsoft Defender for Endpoint", List machines, List
/// MachineActions, List Indicators), sent as written (values adapted to the seeded fleet), and server-driven paging followed
/// through <c>@odata.nextLink</c> to the end. A dedicated server, so no other test's writes change an answer.
/// </summary>
public sealed class ODataSampleQueryTests(ODataSampleQueryTests.Factory factory) : IClassFixture<ODataSampleQueryTests.Factory>
{
    private readonly HttpClient _reader = factory.CreateClient("dev-reader");

    public sealed class Factory() : FakeTimeSampleApiFactory(new Dictionary<string, string> { ["SampleApi:RateLimits:Enabled"] = "false" });

    [Theory]
    // Example 3: devices with 'High' 'RiskScore' (the + of the documentation's URL is a space).
    [InlineData("/api/machines?$filter=riskScore+eq+'High'",
        new[] { SeedData.IsolatedWindowsId, SeedData.DomainControllerId, SeedData.InactiveMacId })]
    // Example 4: top 100 devices with 'HealthStatus' not equal to 'Active'.
    [InlineData("/api/machines?$filter=healthStatus+ne+'Active'&$top=100",
        new[] { SeedData.IsolatedWindowsId, SeedData.IsolatedLinuxId, SeedData.InactiveMacId, SeedData.WebServerId, SeedData.UnmanagedDeviceId })]
    // Example 5: devices last seen after a date, in the documentation's short form.
    [InlineData("/api/machines?$filter=lastSeen gt 2025-06-02Z",
        new[] { SeedData.DomainControllerId, SeedData.HealthyWindowsId, SeedData.ResponderWindowsId, SeedData.LiveResponseWindowsId,
            SeedData.LinuxId, SeedData.MacId, SeedData.LegacyAgentId, SeedData.SalesWindowsId, SeedData.LabWindowsId })]
    [InlineData("/api/machines?$filter=lastSeen gt 2025-06-01T12:00:00Z&$orderby=lastSeen desc",
        new[] { SeedData.DomainControllerId, SeedData.ResponderWindowsId, SeedData.HealthyWindowsId, SeedData.LiveResponseWindowsId,
            SeedData.LinuxId, SeedData.MacId, SeedData.LegacyAgentId, SeedData.SalesWindowsId, SeedData.LabWindowsId, SeedData.UnmanagedDeviceId })]
    // Example 8: devices whose 'computerDnsName' starts with a prefix.
    [InlineData("/api/machines?$filter=startswith(computerDnsName,'mac')", new[] { SeedData.InactiveMacId, SeedData.MacId })]
    // The List machines page's filterable properties: tags, exposure level, onboarding status, RBAC group.
    [InlineData("/api/machines?$filter=machineTags/any(tag: tag eq 'VIP')", new[] { SeedData.InactiveMacId, SeedData.HealthyWindowsId })]
    [InlineData("/api/machines?$filter=exposureLevel eq 'High' and onboardingStatus eq 'Onboarded'",
        new[] { SeedData.IsolatedWindowsId, SeedData.LegacyAgentId })]
    [InlineData("/api/machines?$filter=rbacGroupId eq 104", new[] { SeedData.DomainControllerId, SeedData.WebServerId })]
    // Example 6: the antivirus scans an analyst created.
    [InlineData("/api/machineactions?$filter=requestor eq 'Analyst@contoso.com' and type eq 'RunAntiVirusScan'",
        new[] { "2e9da30d-27f6-4208-81f2-9cd3d67893ba" })]
    // List MachineActions example 2: two of a machine's actions (the page order is the key's unless $orderby says otherwise;
    // newest first with $orderby=creationDateTimeUtc desc).
    [InlineData("/api/machineactions?$filter=machineId eq '" + SeedData.HealthyWindowsId + "'&$top=2",
        new[] { "2e9da30d-27f6-4208-81f2-9cd3d67893ba", "44cffc15-0e3d-4cbf-96aa-bf76f9b27f5e" })]
    [InlineData("/api/machineactions?$filter=machineId eq '" + SeedData.HealthyWindowsId + "'&$top=2&$orderby=creationDateTimeUtc desc",
        new[] { "69dc3630-1ccc-4342-acf3-35286eec741d", "2e9da30d-27f6-4208-81f2-9cd3d67893ba" })]
    [InlineData("/api/machineactions?$filter=status eq 'Succeeded' and creationDateTimeUtc ge 2025-05-30T00:00:00Z",
        new[] { "5382f7ea-7557-4ab7-9782-d50480024a4e", "7d4b1b2e-0c43-4f38-9d0e-3f8a6c2b9e11" })]
    [InlineData("/api/machineactions?$filter=id eq '44cffc15-0e3d-4cbf-96aa-bf76f9b27f5e'", new[] { "44cffc15-0e3d-4cbf-96aa-bf76f9b27f5e" })]
    // List Indicators example 2: the indicators with the 'AlertAndBlock' action.
    [InlineData("/api/indicators?$filter=action+eq+'AlertAndBlock'", new[] { "1", "2" })]
    [InlineData("/api/indicators?$filter=indicatorType eq 'Url' or severity eq 'Low'&$orderby=creationTimeDateTimeUtc", new[] { "4", "5" })]
    public async Task DocumentedQuery_ReturnsTheEntitiesItSelects_AsDefenderDoes(string path, string[] ids)
    {
        var response = await _reader.GetAsync(path);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var document = JsonDocument.Parse(body);
        var set = path.Split('?')[0]["/api/".Length..];
        Assert.Equal($"http://localhost/api/$metadata#{char.ToUpperInvariant(set[0])}{set[1..]}".Replace("Machineactions", "MachineActions", StringComparison.Ordinal),
            document.RootElement.GetProperty("@odata.context").GetString());
        var actual = document.RootElement.GetProperty("value").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        if (path.Contains("$orderby", StringComparison.Ordinal) || path.Contains("$top=2", StringComparison.Ordinal))
        {
            Assert.Equal(ids, actual);
        }
        else
        {
            Assert.Equal(ids.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task ListMachineActions_ReturnsTheDocumentedEntity_WithEveryProperty()
    {
        var body = await _reader.GetStringAsync("/api/machineactions?$filter=type eq 'StopAndQuarantineFile'");

        Assert.Equal(
            """{"@odata.context":"http://localhost/api/$metadata#MachineActions","value":[{"id":"44cffc15-0e3d-4cbf-96aa-bf76f9b27f5e","type":"StopAndQuarantineFile","scope":null,"requestor":"Analyst@contoso.com","externalID":null,"requestSource":"Analyst@contoso.com","commands":[],"cancellationRequestor":null,"requestorComment":"test","cancellationComment":null,"status":"Succeeded","machineId":"ea1a8ae60532f2c97278a389c27c275aa26cbc2d","computerDnsName":"ws-fin-001.contoso.local","creationDateTimeUtc":"2025-05-23T09:15:40Z","cancellationDateTimeUtc":null,"lastUpdateDateTimeUtc":"2025-05-23T09:16:10Z","title":null,"relatedFileInfo":{"fileIdentifier":"a0c659857ccbe457fdaf5fe21d54efdcbf6f6508","fileIdentifierType":"Sha1"},"errorHResult":0}]}""",
            body);
    }

    [Theory]
    [InlineData("/api/machineactions?$filter=nosuch eq 'x'", "Could not find a property named 'nosuch' on type 'Default.MachineAction'.")]
    [InlineData("/api/machineactions?$top=10001", "The limit of '10000' for Top query has been exceeded. The value from the incoming request is '10001'.")]
    public async Task ListMachineActions_ReturnsODataError_WhenTheQueryIsInvalid(string path, string reason)
    {
        await Envelope.AssertAsync(await _reader.GetAsync(path), HttpStatusCode.BadRequest, "ODataError", "Invalid OData URI query: " + reason);
    }
}
