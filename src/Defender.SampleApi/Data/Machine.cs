namespace Defender.SampleApi.Data;

/// <summary>A device, shaped like Defender's Machine entity (the properties the sample's OData queries reach).</summary>
/// <remarks>
/// Entities have no <c>required</c> members: the request validation claims such types in the JSON options to check bodies,
/// and the OData model reads the same options to learn the property names.
/// </remarks>
internal sealed class Machine
{
    public string Id { get; set; } = "";

    public string ComputerDnsName { get; set; } = "";

    public string OsPlatform { get; set; } = "";

    public string OsVersion { get; set; } = "";

    public string HealthStatus { get; set; } = "";

    public string RiskScore { get; set; } = "";

    public DateTime LastSeen { get; set; }

    public string AgentVersion { get; set; } = "";

    public string IsolationState { get; set; } = "";
}

/// <summary>The values Defender uses; kept as strings so OData filters compare them as the wire shows them.</summary>
internal static class IsolationStates
{
    public const string NotIsolated = "NotIsolated";
    public const string Isolated = "Isolated";
}
