using System.Text.Json.Serialization;

namespace Defender.SampleApi.Data;

/// <summary>A custom indicator of compromise, shaped like Defender's Indicator entity.</summary>
internal sealed class Indicator
{
    /// <summary>
    /// A number written as a string, as Defender sends it (<c>"id": "994"</c>): the database computes it from <see cref="Number"/>.
    /// </summary>
    public string Id { get; set; } = "";

    /// <summary>
    /// The same number, for the database: the key, handed out by the database (an AUTOINCREMENT key on SQLite, an identity
    /// column on PostgreSQL), so an id is never reused, not even the one of a deleted indicator. Never on the wire.
    /// </summary>
    [JsonIgnore]
    public long Number { get; set; }

    public string IndicatorValue { get; set; } = "";

    public string IndicatorType { get; set; } = "";

    public string Action { get; set; } = "";

    public string? Application { get; set; }

    /// <summary>The name of the user or application that submitted it (Defender's example calls it <c>source</c>).</summary>
    public string? Source { get; set; }

    /// <summary><c>User</c> or <c>AadApp</c>.</summary>
    public string SourceType { get; set; } = "AadApp";

    public string? CreatedBySource { get; set; }

    public string CreatedBy { get; set; } = "";

    public string Severity { get; set; } = "";

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string? RecommendedActions { get; set; }

    public DateTime CreationTimeDateTimeUtc { get; set; }

    public DateTime? ExpirationTime { get; set; }

    public DateTime? LastUpdateTime { get; set; }

    public string? LastUpdatedBy { get; set; }

    public List<string> RbacGroupNames { get; set; } = [];

    public List<string> RbacGroupIds { get; set; } = [];

    public bool GenerateAlert { get; set; }
}
