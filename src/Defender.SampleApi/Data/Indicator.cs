namespace Defender.SampleApi.Data;

/// <summary>A custom indicator of compromise, shaped like Defender's Indicator entity.</summary>
internal sealed class Indicator
{
    public long Id { get; set; }

    public string IndicatorValue { get; set; } = "";

    public string IndicatorType { get; set; } = "";

    public string Action { get; set; } = "";

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string Severity { get; set; } = "";

    public DateTime CreationTimeDateTimeUtc { get; set; }

    public string CreatedBy { get; set; } = "";
}
