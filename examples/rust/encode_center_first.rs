//! Encodes raw 8-bit RGB pixels as a center-first JPEG XL through the C ABI,
//! with our own `extern "C"` declarations and no crates.
//!
//!   encode_center_first PIXELS.rgb WIDTH HEIGHT OUTPUT.jxl
//!
//! Build against an installed attention_jxl (PREFIX):
//!   rustc -O encode_center_first.rs -L PREFIX/lib -l attention_jxl \
//!         -C link-arg=-Wl,-rpath,PREFIX/lib
use std::ffi::{c_char, c_int, c_long, c_void, CStr};
use std::process::ExitCode;
use std::ptr;

#[repr(C)]
struct Image {
    pixels: *const c_void,
    width: usize,
    height: usize,
    channels: usize,
    sample_type: c_int, // AJXL_UINT8 = 0
    row_stride: usize,
}

#[repr(C)]
#[derive(Default)]
struct Point {
    x: c_long,
    y: c_long,
}

enum Model {}
enum EncoderSettings {}

const AJXL_OK: c_int = 0;
const AJXL_UINT8: c_int = 0;
const AJXL_CENTER_GIVEN: c_int = 1;

#[link(name = "attention_jxl")]
extern "C" {
    fn ajxl_version() -> *const c_char;
    fn ajxl_status_name(status: c_int) -> *const c_char;
    fn ajxl_last_error_message() -> *const c_char;
    fn ajxl_free(memory: *mut c_void);
    fn ajxl_model_open(path: *const c_char, threads: c_int, model: *mut *mut Model) -> c_int;
    fn ajxl_model_free(model: *mut Model);
    fn ajxl_center(model: *mut Model, image: *const Image, orientation: c_int,
                   center: *mut Point) -> c_int;
    fn ajxl_encoder_settings_create(settings: *mut *mut EncoderSettings) -> c_int;
    fn ajxl_encoder_settings_free(settings: *mut EncoderSettings);
    fn ajxl_encoder_settings_set_center(settings: *mut EncoderSettings, mode: c_int, x: c_long,
                                        y: c_long) -> c_int;
    fn ajxl_encode(model: *mut Model, settings: *const EncoderSettings, image: *const Image,
                   data: *mut *mut u8, size: *mut usize) -> c_int;
}

fn text(pointer: *const c_char) -> String {
    unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}

/// Turns a status into a Result carrying the library's message.
fn check(status: c_int) -> Result<(), String> {
    if status == AJXL_OK {
        Ok(())
    } else {
        Err(format!("{}: {}", text(unsafe { ajxl_status_name(status) }),
                    text(unsafe { ajxl_last_error_message() })))
    }
}

/// Frees the handles whatever happens.
struct Handles {
    model: *mut Model,
    settings: *mut EncoderSettings,
}

impl Drop for Handles {
    fn drop(&mut self) {
        unsafe {
            ajxl_encoder_settings_free(self.settings);
            ajxl_model_free(self.model);
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let pixels = std::fs::read(&args[1]).map_err(|e| format!("cannot read {}: {e}", args[1]))?;
    let width: usize = args[2].parse().map_err(|_| "WIDTH must be a number".to_string())?;
    let height: usize = args[3].parse().map_err(|_| "HEIGHT must be a number".to_string())?;
    if pixels.len() < width * height * 3 {
        return Err(format!("{} is smaller than {width}x{height} RGB pixels", args[1]));
    }
    let image = Image { pixels: pixels.as_ptr().cast(), width, height, channels: 3,
                        sample_type: AJXL_UINT8, row_stride: 0 };
    let mut handles = Handles { model: ptr::null_mut(), settings: ptr::null_mut() };
    let mut center = Point::default();
    let (mut data, mut size) = (ptr::null_mut::<u8>(), 0usize);
    unsafe {
        check(ajxl_model_open(ptr::null(), 1, &mut handles.model))?; // the installed model
        check(ajxl_center(handles.model, &image, 1, &mut center))?;
        check(ajxl_encoder_settings_create(&mut handles.settings))?;
        check(ajxl_encoder_settings_set_center(handles.settings, AJXL_CENTER_GIVEN, center.x,
                                               center.y))?;
        check(ajxl_encode(handles.model, handles.settings, &image, &mut data, &mut size))?;
        let written = std::fs::write(&args[4], std::slice::from_raw_parts(data, size));
        ajxl_free(data.cast());
        written.map_err(|e| format!("cannot write {}: {e}", args[4]))?;
    }
    println!("center {} {}\nwrote {size} bytes (attention_jxl {})", center.x, center.y,
             text(unsafe { ajxl_version() }));
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: {} PIXELS.rgb WIDTH HEIGHT OUTPUT.jxl", args[0]);
        return ExitCode::from(2);
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
